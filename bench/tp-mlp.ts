// T7 of issue 12 on Deno: `npm run bench:tp-mlp -- [flags]` (scripts/bench-tp-mlp.mjs) runs this,
// or `npx deno run -A bench/tp-mlp.ts [flags]`. The sweep is examples/tp-mlp/bench-run.ts.
import { parseTpMlpArgs, runTpMlpBench, TP_MLP_USAGE, TpMlpUsageError } from "../examples/tp-mlp/bench-run.ts";

let o;
try {
  o = parseTpMlpArgs(Deno.args);
} catch (e) {
  if (!(e instanceof TpMlpUsageError)) throw e;
  console.error(`${TP_MLP_USAGE}: ${e.message}`);
  Deno.exit(2);
}
const version = JSON.parse(await Deno.readTextFile(new URL("../package.json", import.meta.url))).version;
const { code, json } = await runTpMlpBench(o, { out: (l) => console.log(l), err: (l) => console.error(l) },
  { rankModule: new URL("../examples/tp-mlp/mlp-ranks.ts", import.meta.url) }, { runtime: "deno", version });
if (o.json !== undefined) {
  await Deno.writeTextFile(o.json, json);
  console.error(`# wrote ${o.json}`);
}
Deno.exitCode = code;
