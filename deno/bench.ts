// npx deno run -A deno/bench.ts [flags]   (or: npm run bench -- [flags], which runs this by default)
//
// The benchmark in Deno: nccl-tests' table for a webshmem collective on WebGPU (lavapipe) or the
// cpu backend, with the baselines measured in the same run. -h lists the flags.
import { benchMain } from "../src/bench/main.ts";

function version(): string {
  try {
    return JSON.parse(Deno.readTextFileSync(new URL("../package.json", import.meta.url))).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

const encoder = new TextEncoder();
const outcome = await benchMain(Deno.args, {
  out: (line) => Deno.stdout.writeSync(encoder.encode(`${line}\n`)),
  err: (line) => Deno.stderr.writeSync(encoder.encode(`${line}\n`)),
}, { version: version() });
if (outcome.json !== undefined && outcome.jsonPath !== undefined) {
  Deno.writeTextFileSync(outcome.jsonPath, outcome.json);
  Deno.stderr.writeSync(encoder.encode(`# wrote ${outcome.jsonPath}\n`));
}
if (outcome.trace !== undefined && outcome.tracePath !== undefined) {
  Deno.writeTextFileSync(outcome.tracePath, outcome.trace);
  Deno.stderr.writeSync(encoder.encode(`# wrote ${outcome.tracePath}\n`));
}
Deno.exitCode = outcome.code;
