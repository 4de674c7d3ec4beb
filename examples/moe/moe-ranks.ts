/**
 * The MoE layer, one rank's side: the rank module that deno/examples/moe.ts, the Vitest test on
 * Node, the Deno tests and the Chromium tests launch (in a bundled page through
 * test/fixtures/workers/moe-ranks.worker.ts). Every rank
 *
 *   1. routes its tokens top-2 (router.ts: seeded, uneven, some experts never chosen) and sorts
 *      the token rows by expert: rank-major, `in_splits[g]` rows for global expert g;
 *   2. dispatches them with `symm_mem::all_to_all_vdev_2d(..., major_align)`: the rows for its
 *      own experts arrive expert-major, each expert's block aligned (expert-layout.ts);
 *   3. runs each local expert's FFN over its block (a WGSL matmul program on webgpu,
 *      wgsl-ffn.ts; the host on cpu, host-ffn.ts);
 *   4. sends the results back with `symm_mem::all_to_all_vdev_2d_offset`, the dispatch's
 *      `out_splits_offsets` as its `in_splits_offsets` (the padding is not transferred), which
 *      returns the rows in the order they left;
 *   5. adds each token's two expert outputs, weighted by the router.
 *
 * Canaries: the dispatch output starts as NaN (so padding rows are NaN through the FFN, and would
 * show if the combine moved them) and rows past the combine output hold a marker that must survive.
 */
import type { Rank, SymmetricTensor } from "../../src/index.ts";
import { CANARY_ROWS, dispatchCapacity, type MoeConfig, numExperts, TOP_K } from "./config.ts";
import { type ExpertBlock, expertBlocks, usedRows } from "./expert-layout.ts";
import { hostFfn } from "./host-ffn.ts";
import { dispatchOrder, route } from "./router.ts";
import { expertWeights, tokensOf } from "./weights.ts";
import { GpuExperts } from "./wgsl-ffn.ts";

/** The marker the rows after the combine output hold. */
export const CANARY = -12345.5;

/** What one rank's layer call returns (structured-cloneable). */
export interface MoeRankResult {
  /** The backend whose tensors and kernels ran it. */
  readonly backend: string;
  /** Where the expert FFN ran: "wgsl" (the rank's GPUDevice) or "host". */
  readonly ffn: "wgsl" | "host";
  /** The layer's output for this rank's tokens, [tokensPerRank, hidden]. */
  readonly output: Float32Array;
  /** Rows sent to each global expert (dispatch in_splits). */
  readonly inSplits: number[];
  /** This rank's experts' blocks in the dispatch output. */
  readonly blocks: ExpertBlock[];
  /** Rows of the dispatch output in use, padding included. */
  readonly usedRows: number;
  /** The combine's out_splits_offsets, row 0 then row 1. */
  readonly combineSplitsOffsets: number[];
  /** Problems the rank saw itself: canaries overwritten, the input changed. */
  readonly problems: string[];
  readonly ms: { readonly dispatch: number; readonly experts: number; readonly combine: number };
}

function symmetric(rank: Rank, shape: number[], dtype: "float32" | "int32", fill: number, label: string): SymmetricTensor {
  const t = rank.symm.empty(shape, dtype, { label });
  t.data.fill(fill);
  return t;
}

/** Runs the layer on this rank's tokens; every rank of the world calls it with the same config. */
export async function moeLayer(rank: Rank, cfg: MoeConfig): Promise<MoeRankResult> {
  if (cfg.worldSize !== rank.worldSize) throw new Error(`moe: config for ${cfg.worldSize} ranks, launched with ${rank.worldSize}`);
  const { hidden: h, tokensPerRank: n, expertsPerRank: ne, majorAlign: align } = cfg;
  const e = numExperts(cfg), slots = n * TOP_K, cap = dispatchCapacity(cfg);
  const x = tokensOf(cfg, rank.rank);
  const routing = route(cfg, x);
  const order = dispatchOrder(cfg, routing);
  const problems: string[] = [];

  // Every rank allocates the same tensors in the same order (symmetric heap).
  const input = symmetric(rank, [slots, h], "float32", 0, "moe dispatch input");
  const dispatched = symmetric(rank, [cap, h], "float32", NaN, "moe dispatch output");
  const inSplits = symmetric(rank, [e], "int32", 0, "moe in_splits");
  const dispatchSO = symmetric(rank, [2, e], "int32", -1, "moe dispatch out_splits_offsets");
  const expertOut = symmetric(rank, [cap, h], "float32", NaN, "moe expert output");
  const combined = symmetric(rank, [slots + CANARY_ROWS, h], "float32", CANARY, "moe combine output");
  const combineSO = symmetric(rank, [2, e], "int32", -1, "moe combine out_splits_offsets");
  const all = [input, dispatched, inSplits, dispatchSO, expertOut, combined, combineSO];
  try {
    const rows = input.data as Float32Array;
    for (let i = 0; i < slots; i++) {
      const t = Math.floor(order.slotOf[i] / TOP_K);
      rows.set(x.subarray(t * h, (t + 1) * h), i * h);
    }
    const sent = rows.slice();
    inSplits.data.set(order.inSplits);
    for (const t of all) await rank.symm.rendezvous(t);

    let t0 = performance.now();
    await rank.ops.symm_mem.all_to_all_vdev_2d(input, dispatched, inSplits, dispatchSO, "world", align);
    const dispatchMs = performance.now() - t0;
    const blocks = expertBlocks(dispatchSO.data, cfg.worldSize, ne, align);
    const used = usedRows(blocks);
    if (used > cap) throw new Error(`moe: rank ${rank.rank}'s experts need ${used} rows, the dispatch output has ${cap}`);

    t0 = performance.now();
    const weights = Array.from({ length: ne }, (_, l) => expertWeights(cfg, rank.rank * ne + l));
    const y = expertOut.data as Float32Array;
    let ffn: "wgsl" | "host" = "host";
    if (rank.backend === "webgpu" && rank.device !== null) {
      ffn = "wgsl";
      const gpu = new GpuExperts(rank.device, cfg, weights);
      try {
        await gpu.prepare();
        // A plain copy of the heap rows: Dawn refuses SharedArrayBuffer views at writeBuffer.
        y.set(await gpu.run(blocks, (dispatched.data as Float32Array).slice(0, used * h), used));
      } finally {
        gpu.destroy();
      }
    } else {
      hostFfn(cfg, weights, blocks, dispatched.data as Float32Array, y);
    }
    const expertsMs = performance.now() - t0;

    t0 = performance.now();
    await rank.ops.symm_mem.all_to_all_vdev_2d_offset(expertOut, combined, dispatchSO, combineSO, "world");
    const combineMs = performance.now() - t0;

    const back = combined.data as Float32Array;
    const output = new Float32Array(n * h);
    for (let s = 0; s < slots; s++) {
      const t = Math.floor(s / TOP_K), w = routing.weights[s], row = order.rowOf[s];
      for (let j = 0; j < h; j++) output[t * h + j] += w * back[row * h + j];
    }

    let clobbered = 0;
    for (let i = slots * h; i < back.length; i++) if (back[i] !== CANARY) clobbered++;
    if (clobbered > 0) problems.push(`${clobbered} canary values after the combine output were overwritten`);
    let beyond = 0;
    const d = dispatched.data as Float32Array;
    for (let i = used * h; i < d.length; i++) if (!Number.isNaN(d[i])) beyond++;
    if (beyond > 0) problems.push(`${beyond} values after the ${used} used rows of the dispatch output were written`);
    let changed = 0;
    for (let i = 0; i < sent.length; i++) if (!Object.is(sent[i], rows[i])) changed++;
    if (changed > 0) problems.push(`the dispatch changed ${changed} values of its input`);

    return {
      backend: rank.backend, ffn, output, inSplits: Array.from(order.inSplits), blocks, usedRows: used,
      combineSplitsOffsets: Array.from(combineSO.data as Int32Array), problems,
      ms: { dispatch: dispatchMs, experts: expertsMs, combine: combineMs },
    };
  } finally {
    for (const t of all.reverse()) rank.symm.free(t);
  }
}
