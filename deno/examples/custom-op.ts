// npx deno run -A deno/examples/custom-op.ts
//
// A downstream operator, defined in this file through the public API, registered with
// ["input"]: the dispatcher copies a regular (GPU) tensor into the symmetric heap before the kernel
// runs, with no code for this op in the library. This file is also the rank module: each worker
// imports it, which defines the op there; only the main module launches.
import {
  type BoundArgs, describeAdapter, launch, Library, type OpContext, type Rank, type SymmetricTensor,
} from "../../src/index.ts";

const lib = new Library("example", "DEF");
lib.define("scaled_all_sum(Tensor input, float scale, str group_name) -> Tensor", { symmMemArgs: ["input"] });

/** Host-side reduction over the heap, in rank order so every rank gets the same bits. */
async function scaledAllSum(args: BoundArgs, ctx: OpContext) {
  const input = args.input as SymmetricTensor;
  const h = await ctx.rank.symm.rendezvous(input);
  await h.barrier();
  const out = new Float32Array(input.numel);
  for (let p = 0; p < h.worldSize; p++) {
    const peer = h.getBuffer(p, input.shape, "float32", input.viewOffset / 4);
    for (let i = 0; i < out.length; i++) out[i] += peer[i] * (args.scale as number);
  }
  await h.barrier(); // nobody reuses the workspace while a peer still reads it
  return ctx.backend.createTensor(ctx.rank, input.shape, "float32", out);
}
lib.impl("scaled_all_sum", scaledAllSum, "webgpu");
lib.impl("scaled_all_sum", scaledAllSum, "cpu");

export async function demo(rank: Rank, n: number) {
  const x = rank.tensor(Float32Array.from({ length: n }, (_, i) => rank.rank + i));
  const y = await rank.ops.example.scaled_all_sum(x, 0.25, "world");
  const again = await rank.ops.example.scaled_all_sum(x, 0.25, "world");
  const got = await rank.read(y as never);
  const got2 = await rank.read(again as never);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const want = Math.fround(0.25 * (rank.worldSize * i + (rank.worldSize * (rank.worldSize - 1)) / 2));
    if (Math.abs(got[i] - want) > 1e-3 * Math.abs(want) + 1e-6 || got2[i] !== got[i]) bad++;
  }
  return { bad, tensor: (x as { kind: string; backend: string }).backend, ...rank.stats };
}

if (import.meta.main) {
  const world = await launch({ worldSize: 4, heapBytes: 1 << 22, backend: "webgpu", rankModule: import.meta.url });
  try {
    console.log(`4 ranks on ${describeAdapter(world.adapters[0])}`);
    const results = await world.run<{ bad: number; tensor: string; realizations: number; workspaceAllocations: number }>(
      "demo", 65_536);
    for (const [r, s] of results.entries()) {
      console.log(`rank ${r}: input on ${s.tensor}, realizations ${s.realizations} (2 calls), ` +
        `workspace allocations ${s.workspaceAllocations}, wrong elements ${s.bad}`);
    }
    const ok = results.every((s) => s.bad === 0 && s.realizations === 2 && s.workspaceAllocations === 1);
    console.log(ok ? "verified" : "NOT verified");
    if (!ok) Deno.exitCode = 1;
  } finally {
    await world.close();
  }
}
