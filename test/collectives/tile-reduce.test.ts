/**
 * tile_reduce and multi_root_tile_reduce on Node with the cpu backend, bit-exact with the oracle:
 * every op × dtype × reduce op × tile shape × placement (strided tiles of bigger symmetric
 * tensors, contiguous tiles, realized regular tensors) on world sizes 1, 2, 3 and 5, samples on
 * 4, 8 and 16, with guard bytes around every out tile, untouched non-root out tiles and inputs;
 * and every bad input refused with a typed error on every rank.
 */
import { describe, expect, it } from "vitest";
import { launch } from "../../src/index.ts";
import {
  checkTileRefusals, runTileMatrix, TILE_PLACEMENTS, TILE_SHAPES, tileCases, tileScenarios,
} from "../shared/tile-scenarios.ts";
import { TILE_REFUSALS } from "../fixtures/tile-ranks.ts";

describe("the tile matrix definition", () => {
  it("covers ops × (dtype, reduce op) × shapes × placements, and roots are distinct ranks", () => {
    const cases = tileCases(5);
    // 2 ops × 19 (dtype, reduce op) pairs (no int32 avg) × shapes × placements
    expect(cases.length).toBe(2 * 19 * TILE_SHAPES.length * TILE_PLACEMENTS.length);
    for (const c of cases) {
      expect(new Set(c.roots).size).toBe(c.roots.length);
      expect(c.roots.every((r) => r >= 0 && r < 5)).toBe(true);
    }
    const multi = cases.filter((c) => c.op === "multi_root_tile_reduce");
    expect(new Set(multi.map((c) => c.roots.length)).size).toBeGreaterThan(2); // 1 .. 5 tiles
    expect(new Set(cases.filter((c) => c.op === "tile_reduce").map((c) => c.roots[0]))).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});

describe("tile reductions on Node, cpu backend (bit-exact)", () => {
  const full = 2 * 19 * TILE_SHAPES.length * TILE_PLACEMENTS.length;
  for (const w of [1, 2, 3, 5]) {
    it(`${w} ranks: the full matrix`, async () => {
      const report = await runTileMatrix({ backend: "cpu", worldSizes: [w] });
      console.log(report.summary);
      expect(report.cases).toBe(full);
    }, 600_000);
  }

  // The same cases on more ranks cost ~world² on the suite's two cores: a deterministic sample.
  for (const [w, fraction] of [[4, 0.25], [8, 0.25], [16, 0.05]] as const) {
    it(`${w} ranks: a ${fraction * 100}% sample`, async () => {
      const report = await runTileMatrix({ backend: "cpu", worldSizes: [w], fraction });
      console.log(report.summary);
      expect(report.cases).toBeGreaterThan(fraction * full * 0.6);
      expect(report.cases).toBeLessThan(fraction * full * 1.4);
    }, 600_000);
  }
});

describe("tile reductions refuse bad input on every rank", () => {
  for (const w of [1, 3]) {
    it(`${w} ranks: ${TILE_REFUSALS.length} bad inputs`, async () => {
      const world = await launch({
        worldSize: w, heapBytes: 1 << 20, backend: "cpu", timeoutMs: 20_000,
        rankModule: new URL("../fixtures/tile-ranks.ts", import.meta.url),
      });
      try {
        // One rank's strides differ: meaningless with a single rank.
        const only = w === 1 ? TILE_REFUSALS.filter((r) => r !== "disagreeingStrides") : TILE_REFUSALS;
        expect(await checkTileRefusals(world, only)).toMatch(/bad inputs refused on every rank/);
      } finally {
        await world.close();
      }
    }, 120_000);
  }
});

describe("strided tiles of another group (realized by the dispatcher)", () => {
  for (const w of [1, 3]) {
    it(`${w} ranks`, async () => {
      const result = await tileScenarios["strided tiles of another group are realized row by row"]({ backend: "cpu", worldSize: w });
      expect(result).toMatch(/unpacked into the strided out_tile/);
    }, 120_000);
  }
});
