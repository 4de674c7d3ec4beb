// The all-to-alls' benchmark data: the seeded split pattern of all_to_all_vdev_2d, PyTorch's
// output offsets, the expected results and #wrong, and the naive baseline's exchange steps — each
// checked against a computation written out here, independently of the code under test.
import { describe, expect, it } from "vitest";
import {
  countWrongVdev2d, expectedAllToAll, expectedVdev2d, fillInput, rawArray, type RawArray,
} from "../../src/bench/data.ts";
import { allToAllStep, vdev2dStep } from "../../src/bench/naive/naive-exchange.ts";
import {
  offRank, outCapacity, outExtent, receivedOffsets, receivedSplits, receivedTotal, splitPlan, splitWeights,
} from "../../src/bench/splits.ts";

const input = (rank: number, n: number): RawArray => fillInput("float32", rank, 0, rawArray("float32", n));

describe("all_to_all_vdev_2d's split pattern", () => {
  it("is fixed: the same weights every time, 0..4, about one bin in five empty", () => {
    expect(splitWeights(0, 4, 2)).toEqual(splitWeights(0, 4, 2));
    const all = Array.from({ length: 16 }, (_, r) => splitWeights(r, 16, 2)).flat();
    expect(all.every((w) => Number.isInteger(w) && w >= 0 && w <= 4)).toBe(true);
    const zeros = all.filter((w) => w === 0).length / all.length;
    expect(zeros).toBeGreaterThan(0.1);
    expect(zeros).toBeLessThan(0.3);
    expect(splitWeights(1, 4, 2)).not.toEqual(splitWeights(2, 4, 2));
  });

  it.each([[1, 1], [2, 2], [3, 2], [4, 2], [5, 3], [16, 16]])("%i ranks, %i experts: every rank sends the total in whole units, by its weights", (ranks, experts) => {
    const unit = 4;
    const plan = splitPlan(ranks, experts, 1003, unit);
    expect(plan.total).toBe(1000);
    for (let r = 0; r < ranks; r++) {
      const row = plan.inSplits[r];
      const w = splitWeights(r, ranks, experts);
      expect(row).toHaveLength(ranks * experts);
      expect(row.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(row.every((x) => x % unit === 0)).toBe(true);
      // ⌊units · w / Σw⌋ units per bin, the left-over units on the first largest weight
      const sum = w.reduce((a, b) => a + b, 0);
      const units = w.map((x) => Math.floor((250 * x) / sum));
      units[w.indexOf(Math.max(...w))] += 250 - units.reduce((a, b) => a + b, 0);
      expect(row).toEqual(units.map((u) => u * unit));
      expect(row.filter((_, j) => w[j] === 0).every((x) => x === 0)).toBe(true);
    }
  });

  it("received splits are expert-major; offsets follow PyTorch (an empty expert takes major_align rows)", () => {
    // hand-made plan: 2 ranks, 2 experts; rank 0's expert 0 receives nothing
    const plan = { ranks: 2, experts: 2, total: 6, inSplits: [[0, 4, 1, 1], [0, 2, 3, 1]] };
    expect(receivedSplits(plan, 0)).toEqual([0, 0, 4, 2]);
    expect(receivedOffsets(plan, 0)).toEqual([0, 0, 1, 5]);
    expect(receivedOffsets(plan, 0, 4)).toEqual([0, 0, 4, 8]);
    expect(receivedSplits(plan, 1)).toEqual([1, 3, 1, 1]);
    expect(receivedOffsets(plan, 1)).toEqual([0, 1, 4, 5]);
    expect(receivedOffsets(plan, 1, 8)).toEqual([0, 1, 8, 9]);
    expect(outExtent(plan, 0)).toBe(7);
    expect(outExtent(plan, 1)).toBe(6);
    expect(outCapacity(plan)).toBe(7);
    expect(receivedTotal(plan, 0)).toBe(6);
    expect(offRank(plan, 0)).toEqual({ sent: 2, received: 2 });
    expect(offRank(plan, 1)).toEqual({ sent: 2, received: 2 });
    // every rank empty: each expert still takes one row
    const empty = { ranks: 2, experts: 2, total: 0, inSplits: [[0, 0, 0, 0], [0, 0, 0, 0]] };
    expect(receivedOffsets(empty, 0)).toEqual([0, 0, 1, 1]);
    expect(outCapacity(empty)).toBe(2);
  });
});

describe("the all-to-alls' expected results", () => {
  it("all_to_all: rank r holds chunk r of every rank's input, in rank order", () => {
    const ranks = 3;
    const count = 5;
    const inputs = Array.from({ length: ranks }, (_, s) => input(s, count * ranks));
    for (let r = 0; r < ranks; r++) {
      const want = inputs.flatMap((x) => [...x.subarray(r * count, (r + 1) * count)]);
      expect([...expectedAllToAll("float32", r, ranks, count)]).toEqual(want);
    }
  });

  it("all_to_all_vdev_2d: for each expert, each source's bin, cut from the source's input at its prefix sum", () => {
    const plan = { ranks: 2, experts: 2, total: 6, inSplits: [[0, 4, 1, 1], [0, 2, 3, 1]] };
    const x = [input(0, 6), input(1, 6)];
    expect([...expectedVdev2d("float32", 0, plan)]).toEqual([...x[0].subarray(0, 4), ...x[1].subarray(0, 2)]);
    expect([...expectedVdev2d("float32", 1, plan)]).toEqual([x[0][4], ...x[1].subarray(2, 5), x[0][5], x[1][5]]);
  });

  it("#wrong counts a wrong element, a write into an empty expert's row or the tail, and a chunk out of place", () => {
    const plan = { ranks: 2, experts: 2, total: 6, inSplits: [[0, 4, 1, 1], [0, 2, 3, 1]] };
    const want = expectedVdev2d("float32", 0, plan);
    const good = () => {
      const out = new Float32Array(9);
      new Uint8Array(out.buffer).fill(0xff);
      out.set(want, 1); // offsets [0, 0, 1, 5]: expert 0's row 0 is padding
      return out;
    };
    expect(countWrongVdev2d("float32", good(), want, 0, plan, true)).toBe(0);
    const wrongValue = good();
    wrongValue[3] += 1;
    expect(countWrongVdev2d("float32", wrongValue, want, 0, plan, true)).toBe(1);
    const padding = good();
    padding[0] = 0;
    expect(countWrongVdev2d("float32", padding, want, 0, plan, true)).toBe(1);
    const tail = good();
    tail[8] = 0;
    expect(countWrongVdev2d("float32", tail, want, 0, plan, true)).toBe(1);
    const shifted = new Float32Array(9);
    new Uint8Array(shifted.buffer).fill(0xff);
    shifted.set(want, 0); // no padding row: every element moves
    expect(countWrongVdev2d("float32", shifted, want, 0, plan, true)).toBeGreaterThan(3);
  });
});

describe("the naive baseline's exchange", () => {
  it("all_to_all: worker r gets chunk r of every worker's buffer", () => {
    const ranks = 3;
    const count = 4;
    const parts = Array.from({ length: ranks }, (_, s) => input(s, count * ranks).buffer as ArrayBuffer);
    const out = allToAllStep("float32", count)(parts) as ArrayBuffer[];
    for (let r = 0; r < ranks; r++) expect([...new Float32Array(out[r])]).toEqual([...expectedAllToAll("float32", r, ranks, count)]);
  });

  it("all_to_all_vdev_2d: worker r gets its experts' bins, expert-major, without padding", () => {
    const plan = splitPlan(3, 2, 400, 4);
    const parts = Array.from({ length: 3 }, (_, s) => input(s, plan.total).buffer as ArrayBuffer);
    const out = vdev2dStep("float32", plan)(parts) as ArrayBuffer[];
    for (let r = 0; r < 3; r++) expect([...new Float32Array(out[r])]).toEqual([...expectedVdev2d("float32", r, plan)]);
  });
});
