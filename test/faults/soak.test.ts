/**
 * The soak (issue 13): 2,000 mixed verified collectives over 8 ranks on Node (cpu), in rounds;
 * every result verified, and memory stable: the symmetric heap identical after every round, the
 * ranks' JavaScript heaps and the process RSS not growing round over round beyond a bound.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type World } from "../../src/index.ts";
import type { SoakRound } from "../fixtures/failure-ranks.ts";

const rankModule = new URL("../fixtures/failure-ranks.ts", import.meta.url);
const ROUNDS = 5;
const PER_ROUND = 400;
const MiB = 1 << 20;

describe("soak: 2,000 mixed collectives over 8 ranks (Node, cpu)", () => {
  let world: World;
  beforeAll(async () => {
    world = await launch({ worldSize: 8, heapBytes: 1 << 22, backend: "cpu", rankModule, timeoutMs: 20_000 });
  });
  afterAll(() => world?.close());

  it("every result verified; heap, JS heaps and RSS stable", async () => {
    const rounds: SoakRound[][] = [];
    const rss: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      rounds.push(await world.run<SoakRound>("soak", { iterations: PER_ROUND, seed: 1000 + r, maxElems: 2048 }));
      rss.push(process.memoryUsage().rss);
    }
    const verified = rounds.flat().reduce((a, x) => a + x.verified, 0) / 8;
    console.log(`  soak: ${verified} collectives verified on every rank; RSS by round (MiB): ` +
      rss.map((v) => (v / MiB).toFixed(0)).join(", ") + "; rank 0 JS heap (MiB): " +
      rounds.map((x) => ((x[0].jsHeapUsed ?? 0) / MiB).toFixed(1)).join(", "));
    for (const round of rounds) for (const x of round) expect(x.failed).toEqual([]);
    expect(verified).toBe(ROUNDS * PER_ROUND);
    // The symmetric heap is back where it was after every round, on every rank: nothing but the
    // dispatcher's grow-only workspaces stays, and they stop growing once the largest size was seen.
    for (const round of rounds) for (let k = 0; k < 8; k++) {
      expect(round[k].live).toBe(0);
      expect(round[k].liveBytes).toBe(0);
      expect(round[k].workspaceBytes).toBeLessThanOrEqual(rounds[ROUNDS - 1][k].workspaceBytes);
    }
    for (let k = 0; k < 8; k++) expect(rounds[ROUNDS - 1][k].workspaceBytes).toBe(rounds[ROUNDS - 2][k].workspaceBytes);
    // After a warm-up round, neither the process nor a rank's JS heap keeps growing.
    expect(rss[ROUNDS - 1] - rss[1]).toBeLessThan(96 * MiB);
    for (let k = 0; k < 8; k++) {
      const heaps = rounds.map((x) => x[k].jsHeapUsed ?? 0);
      expect(heaps[ROUNDS - 1] - heaps[1]).toBeLessThan(24 * MiB);
    }
  }, 300_000);
});
