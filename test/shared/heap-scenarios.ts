/**
 * The foundation scenarios, written once and run on every runtime: Vitest (Node, cpu backend),
 * Deno tests (webgpu on lavapipe) and Playwright (webgpu on SwiftShader in Chromium). Each
 * scenario launches its own world, throws on any wrong result and always closes the world.
 */
import { launch, type BackendName, type World } from "../../src/index.ts";
import { check, rejection } from "./check.ts";
import { rankSource } from "./rank-source.ts";

export interface ScenarioOptions {
  backend: BackendName;
  worldSize: number;
}

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts), so the
// bundler must not copy the .ts file into the build as an asset.
const rankModule = new URL(/* @vite-ignore */ "../fixtures/heap-ranks.ts", import.meta.url);
const ranks = () => rankSource("heap-ranks", rankModule);

async function withWorld<T>(o: ScenarioOptions, body: (w: World) => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const world = await launch({ worldSize: o.worldSize, heapBytes: 1 << 20, backend: o.backend, ...ranks(), timeoutMs });
  try {
    return await body(world);
  } finally {
    await world.close();
  }
}

export const heapScenarios: Record<string, (o: ScenarioOptions) => Promise<string>> = {
  async handshake(o) {
    return withWorld(o, async (w) => {
      const seen = await w.run<number>("handshake");
      check(seen[0] === 42, `rank 0 read ${seen[0]} from rank 1, expected 42`);
      return `rank 0 read ${seen[0]}`;
    });
  },

  async barriers(o) {
    return withWorld(o, async (w) => {
      const sums = await w.run<number>("barriers", [0, 5, 31], 5);
      check(sums.every((s) => s === 0), `signal pads not all zero after the barriers: ${sums.join(", ")}`);
      return `pads zero on ${sums.length} ranks`;
    });
  },

  async boundsErrors(o) {
    return withWorld(o, async (w) => {
      const expect: Record<string, RegExp> = {
        channel: /SymmetricMemoryError: barrier: channel 1000 out of range: expected an integer in \[0, 31\]/,
        putRank: new RegExp(`SymmetricMemoryError: putSignal: peer ${o.worldSize} out of range: .*\\[0, ${o.worldSize - 1}\\]`),
        waitRank: new RegExp(`SymmetricMemoryError: waitSignal: peer -1 out of range: .*\\[0, ${o.worldSize - 1}\\]`),
        bufferRank: new RegExp(`SymmetricMemoryError: getBuffer: peer ${o.worldSize + 3} out of range`),
        bufferSize: /SymmetricMemoryError: getBuffer: 1000 float32 elements .* need 4000 bytes, but the buffer has 256/,
      };
      for (const [what, pattern] of Object.entries(expect)) {
        const got = await w.run<string>("badArgument", what);
        for (const m of got) check(pattern.test(m), `${what}: got "${m}", expected ${pattern}`);
      }
      return `${Object.keys(expect).length} bound errors`;
    });
  },

  async timeout(o) {
    return withWorld(o, async (w) => {
      const t0 = performance.now();
      const err = await rejection(w.run("lonelyWait", 200));
      const ms = performance.now() - t0;
      check(err.name === "RankError" && err.rank === 0 && err.rankErrorName === "TimeoutError",
        `expected a RankError for rank 0 from a TimeoutError, got ${err.name} (${err.message})`);
      check(/waitSignal timed out after 200 ms waiting on peer 1 of group "world", channel 0/.test(err.message),
        `message: ${err.message}`);
      // the world still works after a failed run, and then closes
      const seen = await w.run<number>("handshake");
      check(seen[0] === 42, "handshake after a timeout");
      return `timed out in ${ms.toFixed(0)} ms`;
    });
  },

  async peerLoss(o) {
    return withWorld(o, async (w) => {
      const failing = o.worldSize - 1;
      const t0 = performance.now();
      const err = await rejection(w.run("peerLoss", failing));
      const ms = performance.now() - t0;
      check(err.name === "RankError" && err.rank === failing,
        `expected a RankError naming rank ${failing}, got ${err.name}: ${err.message}`);
      check(err.message.includes(`rank ${failing} fails on purpose`), `message: ${err.message}`);
      // peers waited with a 60 s timeout: they must have been released by the abort word
      check(ms < 20_000, `peers were released after ${ms.toFixed(0)} ms, expected promptly`);
      const seen = await w.run<number>("handshake");
      check(seen[0] === 42, "handshake after a peer loss");
      return `peers released in ${ms.toFixed(0)} ms`;
    }, 60_000);
  },

  async mismatchedOrder(o) {
    return withWorld(o, async (w) => {
      const err = await rejection(w.run("mismatchedOrder"));
      check(err.rankErrorName === "SymmetricMemoryError", `expected SymmetricMemoryError, got ${err.message}`);
      check(/allocated in a different order/.test(err.message), `message: ${err.message}`);
      check(/rank \d has allocation world#0 at offset 0 \(64 bytes, float32\[16\]\)/.test(err.message) &&
        /rank \d has allocation world#0 at offset 0 \(128 bytes, int32\[32\]\)/.test(err.message),
        `message should name both ranks' allocations: ${err.message}`);
      return "mismatch detected";
    });
  },

  async subgroups(o) {
    return withWorld(o, async (w) => {
      const seen = await w.run<number[]>("subgroups");
      for (let r = 0; r < o.worldSize; r++) {
        const members = Array.from({ length: o.worldSize }, (_, i) => i).filter((i) => i % 2 === r % 2);
        check(seen[r].join() === members.map((m) => m * 10).join(),
          `rank ${r} saw [${seen[r].join(", ")}] in its subgroup`);
      }
      return "evens and odds exchanged";
    });
  },

  async relaunch(o) {
    const first = await launch({ worldSize: o.worldSize, heapBytes: 4096, backend: o.backend, ...ranks() });
    await first.close();
    await first.close(); // idempotent
    return withWorld(o, async (w) => {
      const names = await w.run<string>("adapterDescription");
      check(names.length === o.worldSize && names.every((n, r) => n.startsWith(`${r}:${o.backend}:`)),
        `second launch: ${names.join(" | ")}`);
      return names[0];
    });
  },
};
