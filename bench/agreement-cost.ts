/**
 * What the cross-rank agreement (src/heap/agreement.ts) costs a collective, per rank and call,
 * without the noise of a whole benchmark: two ranks' heaps in one thread over one control buffer,
 * each call building the 8-byte all-reduce's signature, publishing it, verifying the peer at its
 * "first synchronisation" and ending. `npm run bench:agreement` (issue 13 asks for < 1 µs).
 */
import { findOp } from "../src/library/op-table.ts";
import "../src/ops/symm_mem/definitions.ts";
import { callSignature } from "../src/dispatch/signature.ts";
import { bindArguments } from "../src/library/bind.ts";
import { isTensor } from "../src/dispatch/dispatcher.ts";
import { controlLayout, createControlBuffer } from "../src/heap/control.ts";
import { SymmetricHeap } from "../src/heap/symmetric-heap.ts";

const layout = controlLayout(2, 32);
const control = createControlBuffer(layout);
const slabs = [new SharedArrayBuffer(1 << 16), new SharedArrayBuffer(1 << 16)];
const heaps = [0, 1].map((rank) => new SymmetricHeap({ rank, worldSize: 2, slabs, control, layout, timeoutMs: 1000 }));
const tensors = heaps.map((h) => h.empty([2], "float32"));
const entry = findOp("symm_mem::one_shot_all_reduce")!;

function call(): void {
  const sigs = [0, 1].map((r) => {
    const args = bindArguments(entry.schema, [tensors[r], "sum", "world"], isTensor);
    return callSignature(entry.schema, args, heaps[r].world, entry.symmMemArgs, undefined);
  });
  heaps[0].world.agreement.begin(sigs[0]);
  heaps[1].world.agreement.begin(sigs[1]);
  heaps[0].world.agreement.consumed(1);
  heaps[1].world.agreement.consumed(0);
  heaps[0].world.agreement.end();
  heaps[1].world.agreement.end();
}

function time(iterations: number, body: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) body();
  return ((performance.now() - t0) * 1000) / iterations;
}

for (let i = 0; i < 20_000; i++) call(); // warm up the JIT
const bindOnly = time(200_000, () => {
  bindArguments(entry.schema, [tensors[0], "sum", "world"], isTensor);
  bindArguments(entry.schema, [tensors[1], "sum", "world"], isTensor);
});
const runs = [0, 1, 2, 3, 4].map(() => time(200_000, call));
const best = Math.min(...runs);
const perRank = (best - bindOnly) / 2;
console.log(`agreement per rank and call (signature + publish + verify one peer + end), 8-byte all-reduce: ` +
  `${perRank.toFixed(3)} µs (best of 5 × 200,000 calls; argument binding, which the dispatcher does anyway, ` +
  `${(bindOnly / 2).toFixed(3)} µs, subtracted)`);
console.log(JSON.stringify({ agreementMicrosPerRankCall: perRank, runsMicrosPerPair: runs, bindMicrosPerPair: bindOnly }));

// The parts, for where the time goes.
const args0 = bindArguments(entry.schema, [tensors[0], "sum", "world"], isTensor);
const sigOnly = time(200_000, () => callSignature(entry.schema, args0, heaps[0].world, entry.symmMemArgs, undefined));
const sig0 = callSignature(entry.schema, args0, heaps[0].world, entry.symmMemArgs, undefined);
const boardOnly = time(200_000, () => {
  heaps[0].world.agreement.begin(sig0);
  heaps[1].world.agreement.begin(sig0);
  heaps[0].world.agreement.consumed(1);
  heaps[1].world.agreement.consumed(0);
  heaps[0].world.agreement.end();
  heaps[1].world.agreement.end();
}) / 2;
console.log(`  of which: signature ${sigOnly.toFixed(3)} µs, board (publish, verify, end) ${boardOnly.toFixed(3)} µs`);
