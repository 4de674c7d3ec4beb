/**
 * The MoE layer of deno/examples/moe.ts (examples/moe/) on Node: its bookkeeping against
 * PyTorch's documented layout, the checker against a host model of the two all-to-alls (so a wrong
 * layer is caught), and the layer itself on cpu ranks (world sizes 1, 2, 3, 4, 5) and on webgpu
 * ranks through Dawn where there is one.
 */
import { describe, expect, it } from "vitest";
import { dispatchCapacity, isDeadExpert, moeConfig, type MoeConfig, numExperts, TOP_K } from "../../examples/moe/config.ts";
import { alignedSpan, expertBlocks, usedRows } from "../../examples/moe/expert-layout.ts";
import { hostFfn } from "../../examples/moe/host-ffn.ts";
import type { MoeRankResult } from "../../examples/moe/moe-ranks.ts";
import { dispatchOrder, route } from "../../examples/moe/router.ts";
import { checkMoe } from "../../examples/moe/verify.ts";
import { expertWeights, tokensOf } from "../../examples/moe/weights.ts";
import { runMoe, runMoeScenario } from "../shared/moe-scenarios.ts";
import { probeNodeGpu } from "../webgpu-node/node-gpu.ts";

describe("MoE bookkeeping (examples/moe/expert-layout.ts)", () => {
  it("reads PyTorch's example: c0 5 rows, d0 7, major_align 16 puts c1 at 16; minor offsets are not aligned", () => {
    // world 2, 2 experts per rank, on rank 0: columns (e0 from r0, e0 from r1, e1 from r0, e1 from r1)
    const blocks = expertBlocks([5, 7, 3, 0, 0, 5, 16, 19], 2, 2, 16);
    expect(blocks).toEqual([{ local: 0, start: 0, rows: 12, span: 16 }, { local: 1, start: 16, rows: 3, span: 16 }]);
    expect(usedRows(blocks)).toBe(32);
  });

  it("gives an empty expert major_align rows, and an exact multiple no padding", () => {
    expect(alignedSpan(0, 8)).toBe(8);
    expect(alignedSpan(16, 8)).toBe(16);
    expect(alignedSpan(17, 8)).toBe(24);
    expect(alignedSpan(0, 1)).toBe(1);
    expect(expertBlocks([0, 0, 2, 1, 0, 0, 8, 10], 2, 2, 8)).toEqual([
      { local: 0, start: 0, rows: 0, span: 8 }, { local: 1, start: 8, rows: 3, span: 8 },
    ]);
  });

  it("refuses offsets that are not the aligned expert-major layout, naming the column", () => {
    expect(() => expertBlocks([5, 7, 3, 0, 0, 5, 12, 15], 2, 2, 16)).toThrow(
      "out_splits_offsets column 2 (expert 1, from rank 0): offset 12, expected 16");
    expect(() => expertBlocks([5, 7, 3, 0, 0, 6, 16, 19], 2, 2, 16)).toThrow("column 1 (expert 0, from rank 1): offset 6, expected 5");
    expect(() => expertBlocks([5, 7, 3], 2, 2, 16)).toThrow("3 values, expected 2 × 4");
  });
});

describe("MoE router (examples/moe/router.ts)", () => {
  const cfg = moeConfig(4);

  it("routes every token to two different live experts with weights that sum to 1, unevenly", () => {
    const counts = new Array<number>(numExperts(cfg)).fill(0);
    for (let r = 0; r < 4; r++) {
      const { experts, weights } = route(cfg, tokensOf(cfg, r));
      for (let t = 0; t < cfg.tokensPerRank; t++) {
        const [a, b] = [experts[2 * t], experts[2 * t + 1]];
        expect(a).not.toBe(b);
        expect(isDeadExpert(a) || isDeadExpert(b)).toBe(false);
        expect(weights[2 * t]).toBeGreaterThanOrEqual(weights[2 * t + 1]);
        expect(weights[2 * t] + weights[2 * t + 1]).toBeCloseTo(1, 6);
        counts[a]++;
        counts[b]++;
      }
    }
    const live = counts.filter((_, g) => !isDeadExpert(g));
    expect(counts.filter((_, g) => isDeadExpert(g)).every((c) => c === 0)).toBe(true);
    expect(Math.max(...live)).toBeGreaterThan(2 * Math.min(...live));
    console.log(`  rows per expert (4 ranks): ${counts.join(" ")}`);
  });

  it("sorts the rows by expert, stably, and rowOf inverts slotOf", () => {
    const routing = route(cfg, tokensOf(cfg, 1));
    const { inSplits, slotOf, rowOf } = dispatchOrder(cfg, routing);
    expect(inSplits.reduce((a, b) => a + b, 0)).toBe(cfg.tokensPerRank * TOP_K);
    let row = 0;
    inSplits.forEach((n, g) => {
      for (let i = 0; i < n; i++, row++) {
        expect(routing.experts[slotOf[row]]).toBe(g);
        if (i > 0) expect(slotOf[row]).toBeGreaterThan(slotOf[row - 1]);
        expect(rowOf[slotOf[row]]).toBe(row);
      }
    });
  });

  it("refuses a world with fewer than two live experts", () => {
    expect(() => moeConfig(1, { expertsPerRank: 2 })).toThrow("top-2 routing needs 2 live experts, found 1 of 2");
  });
});

/**
 * The layer with the two all-to-alls written out on the host, as PyTorch documents them
 * (test_nvshmem.py's expected layout): what a correct run returns, for the checker tests.
 */
function hostModel(cfg: MoeConfig): MoeRankResult[] {
  const w = cfg.worldSize, ne = cfg.expertsPerRank, h = cfg.hidden, e = numExperts(cfg);
  const per = Array.from({ length: w }, (_, r) => {
    const x = tokensOf(cfg, r);
    const routing = route(cfg, x);
    const order = dispatchOrder(cfg, routing);
    const rows = new Float32Array(order.slotOf.length * h);
    order.slotOf.forEach((s, i) => rows.set(x.subarray(Math.floor(s / TOP_K) * h, (Math.floor(s / TOP_K) + 1) * h), i * h));
    const inOffsets = [0];
    for (let g = 0; g < e; g++) inOffsets.push(inOffsets[g] + order.inSplits[g]);
    return { routing, order, rows, inOffsets };
  });
  // dispatch: rank d gets, expert-major, each source's rows for its experts
  const dispatched = Array.from({ length: w }, (_, d) => {
    const so = new Array<number>(2 * e).fill(0);
    const out = new Float32Array(dispatchCapacity(cfg) * h).fill(NaN);
    let start = 0;
    for (let l = 0; l < ne; l++) {
      let at = start;
      for (let s = 0; s < w; s++) {
        const g = d * ne + l, n = per[s].order.inSplits[g];
        so[l * w + s] = n;
        so[e + l * w + s] = at;
        out.set(per[s].rows.subarray(per[s].inOffsets[g] * h, (per[s].inOffsets[g] + n) * h), at * h);
        at += n;
      }
      start += alignedSpan(at - start, cfg.majorAlign);
    }
    const blocks = expertBlocks(so, w, ne, cfg.majorAlign);
    const y = new Float32Array(out.length).fill(NaN);
    hostFfn(cfg, Array.from({ length: ne }, (_, l) => expertWeights(cfg, d * ne + l)), blocks, out, y);
    return { so, y, blocks };
  });
  // combine: rank s gets its rows back, rank-major, packed
  return per.map((p, s) => {
    const back = new Float32Array(p.rows.length);
    for (let g = 0; g < e; g++) {
      const d = Math.floor(g / ne), l = g % ne, src = dispatched[d];
      const n = src.so[l * w + s], from = src.so[e + l * w + s];
      back.set(src.y.subarray(from * h, (from + n) * h), p.inOffsets[g] * h);
    }
    const output = new Float32Array(cfg.tokensPerRank * h);
    for (let slot = 0; slot < p.rows.length / h; slot++) {
      const t = Math.floor(slot / TOP_K), row = p.order.rowOf[slot];
      for (let j = 0; j < h; j++) output[t * h + j] += p.routing.weights[slot] * back[row * h + j];
    }
    return {
      backend: "host model", ffn: "host", output, inSplits: Array.from(p.order.inSplits), blocks: dispatched[s].blocks,
      usedRows: usedRows(dispatched[s].blocks), combineSplitsOffsets: [...p.order.inSplits, ...p.inOffsets.slice(0, e)],
      problems: [], ms: { dispatch: 0, experts: 0, combine: 0 },
    } satisfies MoeRankResult;
  });
}

describe("MoE checker (examples/moe/verify.ts) against a host model of the all-to-alls", () => {
  const cfg = moeConfig(3);
  const good = hostModel(cfg);

  it("verifies the model: empty experts, padded blocks, a float32-sized error", () => {
    const check = checkMoe(cfg, good);
    expect(check.problems).toEqual([]);
    expect(check.verified).toBe(true);
    expect(check.emptyExperts.length).toBeGreaterThan(0);
    expect(check.paddedExperts).toBeGreaterThan(0);
    expect(check.maxError).toBeLessThan(1e-5);
    expect(check.maxError).toBeGreaterThan(0); // float32 arithmetic against float64
  });

  it("catches a wrong value, a swapped weight, a block out of place, a bad combine offset and a rank's own problem", () => {
    const bad = (edit: (r: MoeRankResult[]) => void) => {
      const copy = structuredClone(good);
      edit(copy);
      return checkMoe(cfg, copy);
    };
    expect(bad((r) => (r[1].output[77] += 1e-3)).problems.join()).toMatch(/max error 0\.00(09|10)\d* above the tolerance 0\.0001/);
    expect(bad((r) => r[2].output.reverse()).verified).toBe(false);
    const at = good[0].blocks[1].start;
    expect(bad((r) => ((r[0].blocks[1] as { start: number }).start += 8)).problems.join())
      .toContain(`rank 0 expert 1 (global 1): block of 0 rows spanning 8 at ${at + 8}, expected 0 rows spanning 8 at ${at}`);
    expect(bad((r) => (r[2].combineSplitsOffsets[numExperts(cfg) + 3] += 1)).problems.join()).toContain("rank 2: combine out_splits_offsets");
    expect(bad((r) => r[1].problems.push("canary overwritten")).problems).toEqual(["rank 1: canary overwritten"]);
    expect(bad((r) => r.pop()).verified).toBe(false);
  });
});

describe("MoE layer on cpu ranks (Node): all_to_all_vdev_2d + major_align, host FFN, all_to_all_vdev_2d_offset", () => {
  for (const worldSize of [4, 3, 1, 5]) {
    it(`${worldSize} rank(s), against the single-rank layer`, async () => {
      const { check, results, cfg } = await runMoe({ backend: "cpu", worldSize });
      expect(check.problems).toEqual([]);
      expect(check.emptyExperts.length).toBeGreaterThan(0);
      expect(check.paddedExperts).toBeGreaterThan(0);
      for (const r of results) {
        expect(r.ffn).toBe("host");
        for (const b of r.blocks) expect(b.start % cfg.majorAlign).toBe(0);
      }
      console.log(`  ${worldSize} rank(s): max error ${check.maxError.toExponential(2)}, empty experts ${check.emptyExperts}, ${check.paddingRows} padding rows`);
    }, 60_000);
  }

  for (const majorAlign of [1, 16]) {
    it(`2 ranks, major_align ${majorAlign}, 64 tokens, hidden 64, 4 experts per rank, called twice`, async () => {
      const config = { majorAlign, tokensPerRank: 64, hidden: 64, expertsPerRank: 4 };
      const { check } = await runMoe({ backend: "cpu", worldSize: 2, config, calls: 2 });
      expect(check.problems).toEqual([]);
      // major_align 1: only the empty experts' one row each is padding
      if (majorAlign === 1) expect(check.paddingRows).toBe(check.emptyExperts.length);
    }, 60_000);
  }
});

const { skip } = await probeNodeGpu();
if (skip !== undefined) console.warn(`SKIP the MoE layer on Node webgpu: ${skip}`);
describe.skipIf(skip !== undefined)("MoE layer on webgpu ranks (Node, Dawn): the experts in a WGSL matmul program", () => {
  it("4 ranks, against the single-rank layer", async () => {
    console.log(`  ${await runMoeScenario({ backend: "webgpu", worldSize: 4 })}`);
  }, 120_000);
});
