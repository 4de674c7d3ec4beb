// Deno tests: the Deno examples the README names run as written, each in its own `deno run`
// process (4 ranks on WebGPU, lavapipe), and print what the README says they print.
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip !== undefined) console.warn(`SKIP the Deno examples: ${skip}`);

/**
 * Runs `deno run -A file`; resolves to its stdout when it exited with 0 and printed `last` last.
 * A run that printed `last` and then crashed (SIGABRT/SIGSEGV) is Deno's crash at exit, which
 * world.close() now prevents (docs/deno-exit-crash.md): it fails the test, it is not retried.
 */
async function runExample(file: string, last: string, args: readonly string[] = []): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", file, ...args], stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  if (out.success && lines.at(-1) === last) return lines.join("\n");
  const crashedAfter = lines.at(-1) === last && (out.signal === "SIGABRT" || out.signal === "SIGSEGV" || out.code === 134 || out.code === 139);
  if (crashedAfter) {
    throw new Error(`${file} printed "${last}", then Deno crashed at exit (${out.signal ?? `exit ${out.code}`}): ` +
      `see docs/deno-exit-crash.md\n${text.slice(-3000)}`);
  }
  throw new Error(`${file} did not end with "${last}":\n${text.slice(-3000)}`);
}

for (const [file, last, args] of [
  ["deno/hello.ts", "barrier ok"],
  ["deno/examples/custom-op.ts", "verified"],
  ["deno/examples/allreduce.ts", "verified"],
  ["deno/examples/moe.ts", "verified"],
  ["deno/examples/moe.ts", "verified", ["--world", "3", "--backend", "cpu"]],
  ["deno/examples/tensor-parallel-mlp.ts", "verified"],
  ["deno/examples/tensor-parallel-mlp.ts", "verified", ["--world", "4", "--backend", "cpu"]],
] as [string, string, string[]?][]) {
  Deno.test({
    name: `${[file, ...(args ?? [])].join(" ")} prints "${last}"`,
    ignore: skip !== undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const out = await runExample(file, last, args);
      if (!/rank 0: |\d+ ranks on /.test(out)) throw new Error(`${file} printed no adapter line:\n${out}`);
      console.log(out.split("\n").slice(-2).join(" | "));
    },
  });
}
