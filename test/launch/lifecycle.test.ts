/**
 * The world's lifecycle under failure (issue 13): dead workers, close() with runs in flight,
 * exit delay, launch() bounds and option errors, and the world side of recovery. Node, cpu.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { releaseProxy } from "comlink";
import { WorkerLostError } from "../../src/core/errors.ts";
import { ABORT, type ControlLayout, controlLayout, createControlBuffer, PADS_USED } from "../../src/heap/control.ts";
import { launch, LaunchError, RankError, type World } from "../../src/index.ts";
import { groupsApart, World as WorldClass } from "../../src/launch/world.ts";
import { outcomeBuffer, readOutcomes } from "../fixtures/fault-ranks.ts";

const rankModule = new URL("../fixtures/fault-ranks.ts", import.meta.url);
const base = { heapBytes: 1 << 16, backend: "cpu" as const, rankModule };
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function rejection(p: Promise<unknown>): Promise<RankError> {
  const r = await p.then(() => undefined, (e: unknown) => e);
  if (!(r instanceof RankError)) throw new Error(`expected a RankError, got ${r === undefined ? "a result" : String(r)}`);
  return r;
}

describe("a worker that exits", () => {
  it("process.exit(3) while peers wait in a barrier: peers get PeerLostError naming it within 2 s, run() blames it", async () => {
    const worldSize = 3, dying = 1;
    world = await launch({ ...base, worldSize });
    const out = outcomeBuffer(worldSize);
    const t0 = performance.now();
    const err = await rejection(world.run("dieInBarrier", dying, "exit", 3, out));
    const runMs = performance.now() - t0;
    expect(err.rank).toBe(dying);
    expect(err.rankErrorName).toBe("WorkerLostError");
    expect(err.cause).toBeInstanceOf(WorkerLostError);
    expect((err.cause as WorkerLostError).exitCode).toBe(3);
    expect((err.cause as WorkerLostError).rank).toBe(dying);
    expect(err.message).toMatch(/rank 1 failed in run\("dieInBarrier"\): WorkerLostError: rank 1's worker exited with code 3/);
    // the peers waited with a 60 s timeout; the run rejected long before
    expect(runMs).toBeLessThan(5_000);

    // The peers write what they saw into `out` (a lost world's run has no results).
    const deadline = Date.now() + 2_000;
    let seen = readOutcomes(out, worldSize);
    while (Date.now() < deadline && [0, 2].some((r) => seen.outcomes[r].state === "none")) {
      await sleep(20);
      seen = readOutcomes(out, worldSize);
    }
    for (const r of [0, 2]) {
      const o = seen.outcomes[r];
      expect(o.state, `rank ${r}`).toBe("threw");
      expect(o.error).toMatch(/^PeerLostError: .*rank 1's worker exited with code 3/);
      expect(o.lostRank).toBe(dying);
      expect(o.at - seen.diedAt, `rank ${r} saw the death after ${o.at - seen.diedAt} ms`).toBeLessThan(2_000);
    }

    // every later run rejects at once, with the same cause
    const t1 = performance.now();
    const later = await rejection(world.run("whoAmI"));
    expect(performance.now() - t1).toBeLessThan(500);
    expect(later.rank).toBe(dying);
    expect(later.rankErrorName).toBe("WorkerLostError");
    expect(later.cause).toBe(err.cause);
    expect(later.message).toMatch(/run\("whoAmI"\): the world was lost earlier \(rank 1, WorkerLostError: rank 1's worker exited with code 3\)/);

    const t2 = performance.now();
    await world.close();
    expect(performance.now() - t2).toBeLessThan(2_000);
    world = undefined;
  });

  it("an exit with code 0 outside any wait is a death too; a run queued behind it rejects with the same cause", async () => {
    world = await launch({ ...base, worldSize: 3 });
    const first = world.run("exitNow", 2, 0);
    const queued = world.run("whoAmI");
    const err = await rejection(first);
    expect(err.rank).toBe(2);
    expect(err.rankErrorName).toBe("WorkerLostError");
    expect((err.cause as WorkerLostError).exitCode).toBe(0);
    const q = await rejection(queued);
    expect(q.rank).toBe(2);
    expect(q.cause).toBe(err.cause);
  });

  it("an uncaught error ends the worker: WorkerLostError with its message and exit code 1", async () => {
    world = await launch({ ...base, worldSize: 2 });
    const err = await rejection(world.run("uncaughtInBarrier", 0));
    expect(err.rank).toBe(0);
    expect(err.rankErrorName).toBe("WorkerLostError");
    expect((err.cause as WorkerLostError).exitCode).toBe(1);
    expect(err.message).toMatch(/rank 0's worker died \(exit code 1\): rank 0 throws outside any promise/);
  });

  it("a worker that dies between runs: the next run rejects at once, naming it", async () => {
    world = await launch({ ...base, worldSize: 2 });
    // rank 1 exits after its function returned: the run itself may resolve or reject
    await world.run("exitNow", 1, 5).catch(() => {});
    await sleep(200);
    const err = await rejection(world.run("whoAmI"));
    expect(err.rank).toBe(1);
    expect((err.cause as WorkerLostError).exitCode).toBe(5);
  });
});

describe("close()", () => {
  it("rejects the run in flight and the queued ones within 1 s", async () => {
    world = await launch({ ...base, worldSize: 2 });
    const inFlight = world.run("sleepFor", 30_000);
    const queued = world.run("whoAmI");
    await sleep(300);
    const t0 = performance.now();
    const closing = world.close();
    const [a, b] = await Promise.all([rejection(inFlight), rejection(queued)]);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(a.rank).toBe(-1);
    expect(a.message).toMatch(/the world was closed during run\("sleepFor"\)/);
    expect(b.rank).toBe(-1);
    expect(b.message).toMatch(/the world was closed during run\("whoAmI"\), before it started/);
    await closing;
    expect(performance.now() - t0).toBeLessThan(2_000);
    world = undefined;
  });

  it("rejects a run whose ranks wait in a barrier, and the waiting ranks are released", async () => {
    world = await launch({ ...base, worldSize: 3 });
    const inFlight = world.run("barrierWithoutRank0", 30_000);
    await sleep(300);
    const t0 = performance.now();
    const closing = world.close();
    const err = await rejection(inFlight);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(err.message).toMatch(/the world was closed during run\("barrierWithoutRank0"\)/);
    await closing;
    world = undefined;
  });

  it("of a world whose ranks are idle takes well under a second", async () => {
    world = await launch({ ...base, worldSize: 4 });
    await world.run("whoAmI");
    const t0 = performance.now();
    await world.close();
    expect(performance.now() - t0).toBeLessThan(1_000);
    world = undefined;
  });

  it("leaves no timer behind: a script that closes its world exits at once", async () => {
    const script = fileURLToPath(new URL("../fixtures/close-and-exit.ts", import.meta.url));
    const { stdout, exitedAt } = await new Promise<{ stdout: string; exitedAt: number }>((resolve, reject) => {
      execFile(process.execPath, ["--import", "tsx", script], { timeout: 60_000 }, (e, stdout, stderr) => {
        const exitedAt = Date.now();
        if (e) reject(new Error(`${e.message}\n${stderr}`));
        else resolve({ stdout, exitedAt });
      });
    });
    const closedAt = Number(/closed at (\d+)/.exec(stdout)?.[1]);
    expect(closedAt).toBeGreaterThan(0);
    // a 3 s grace timer left armed would hold the process for 3 s
    expect(exitedAt - closedAt).toBeLessThan(1_500);
  });
});

describe("launch() bounds", () => {
  it("a rank module whose top-level await never settles: LaunchError within the timeout, workers ended", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webshmem-heartbeat-"));
    const heartbeat = join(dir, "beat");
    process.env.WEBSHMEM_HEARTBEAT = heartbeat;
    try {
      const t0 = performance.now();
      const err = await launch({
        ...base, worldSize: 2, timeoutMs: 2_000, rankModule: new URL("../fixtures/never-loads.ts", import.meta.url),
      }).then(() => undefined, (e: unknown) => e);
      const ms = performance.now() - t0;
      expect(err).toBeInstanceOf(LaunchError);
      expect((err as Error).message).toMatch(
        /launch: rank \d: the rank module .*never-loads\.ts did not finish loading within 2000 ms/,
      );
      // 2 s of loading plus starting and ending the workers
      expect(ms).toBeLessThan(8_000);
      // the module ran (it wrote a heartbeat) and its workers are gone (it writes no more)
      const before = readFileSync(heartbeat, "utf8");
      await sleep(500);
      expect(readFileSync(heartbeat, "utf8")).toBe(before);
    } finally {
      delete process.env.WEBSHMEM_HEARTBEAT;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["undefined", undefined, /expected an options object .*found undefined/],
    ["null", null, /expected an options object .*found null/],
    ["a number", 5, /expected an options object .*found number/],
    ["a string", "cpu", /expected an options object .*found string/],
    ["an array", [], /expected an options object .*found an array/],
  ])("launch(%s): LaunchError", async (_, options, message) => {
    const err = await launch(options as never).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as Error).message).toMatch(message);
  });

  it.each([
    ["rankModule", null], ["rankModule", 5], ["rankWorker", {}],
  ])("%s: %o is a LaunchError", async (key, value) => {
    const err = await launch({ worldSize: 2, heapBytes: 4096, backend: "cpu", [key]: value } as never)
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as Error).message).toMatch(new RegExp(`${key} must be a URL or a URL string`));
  });
});

describe("recovery after a failed run", () => {
  it("groupsApart: groups whose allocation states differ across the ranks that report them", () => {
    const g = (name: string, allocSeq: number, live: string[]) => ({ name, allocSeq, live });
    const states = [
      { groups: [g("world", 2, ["world#0"]), g("evens", 1, ["evens#0"])] },
      { groups: [g("world", 2, ["world#0"])] },
      { groups: [g("world", 3, ["world#0", "world#2"]), g("evens", 1, ["evens#0"])] },
    ];
    expect(groupsApart(states, "Error: x")).toEqual([{ group: "world", reason: "Error: x" }]);
    expect(groupsApart(states.slice(0, 2), "Error: x")).toEqual([]);
  });

  it("a rank that throws: run() rejects at once, and the next run works", async () => {
    world = await launch({ ...base, worldSize: 3 });
    const t0 = performance.now();
    const err = await rejection(world.run("throwInBarrier", 2));
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(err.rank).toBe(2);
    expect(err.message).toMatch(/rank 2 fails on purpose/);
    expect(await world.run("rendezvousAndBarrier")).toEqual([0, 1, 2]);
  });

  it("ranks whose heaps drifted apart before the failure: the group is marked broken, naming the cause", async () => {
    world = await launch({ ...base, worldSize: 3 });
    const err = await rejection(world.run("driftThenThrow", 1));
    expect(err.rank).toBe(1);
    const broken = await rejection(world.run("rendezvousAndBarrier"));
    expect(broken.rankErrorName).toBe("GroupBrokenError");
    expect(broken.message).toMatch(/group "world"/);
    expect(broken.message).toMatch(/rank 1 allocated alone, then failed/);
    // the world itself is not lost: a run that uses no broken group still works
    expect(await world.run("whoAmI")).toEqual([0, 1, 2]);
  });

  it("a collective that failed and was caught (hadFailures) still triggers a recovery", async () => {
    world = await launch({ ...base, worldSize: 2, timeoutMs: 2_000 });
    const names = await world.run<string>("lonelyAllReduceCaught");
    expect(names[0]).toMatch(/TimeoutError|PeerLostError/);
    const sums = await world.run<number[]>("allReduceSum");
    for (const s of sums) expect(s).toEqual([3, 3, 3, 3]);
  });
});

describe("recovery, with fake ranks (the world's side alone)", () => {
  interface FakeRank {
    run?: (fnName: string) => Promise<{ value: unknown; hadFailures: boolean }>;
    recover?: () => Promise<{ groups: { name: string; allocSeq: number; live: string[] }[] }>;
    markBroken?: (groups: readonly { group: string; reason: string }[]) => Promise<void>;
  }
  const ok = (value: unknown) => Promise.resolve({ value, hadFailures: false });
  const state = (allocSeq: number) => Promise.resolve({ groups: [{ name: "world", allocSeq, live: [] }] });

  function fakeWorld(ranks: FakeRank[], recoveryTimeoutMs = 300): { world: World; calls: string[]; control: Int32Array; layout: ControlLayout } {
    const calls: string[] = [];
    const layout = controlLayout(ranks.length, 32);
    const control = createControlBuffer(layout);
    const apis = ranks.map((f, r) => ({
      run: (fnName: string) => (calls.push(`run ${r} ${fnName}`), (f.run ?? (() => ok(r)))(fnName)),
      recover: () => (calls.push(`recover ${r}`), (f.recover ?? (() => state(1)))()),
      markBroken: (g: readonly { group: string; reason: string }[]) =>
        (calls.push(`markBroken ${r} ${JSON.stringify(g)}`), (f.markBroken ?? (() => Promise.resolve()))(g)),
      shutdown: () => Promise.resolve(),
      [releaseProxy]: () => {},
    }));
    const workers = ranks.map(() => ({
      script: "fake", endpoint: {} as never, ready: Promise.resolve(), died: new Promise<never>(() => {}),
      terminate: () => Promise.resolve(),
    }));
    const w = new WorldClass({
      runtime: "node", backend: "cpu", workers, apis: apis as never, adapters: [], control, layout, heapBytes: 256,
      recoveryTimeoutMs,
    });
    return { world: w, calls, control: new Int32Array(control), layout };
  }

  it("a failed run rejects before its recovery ends; the next run waits for it; pads, abort and boards are cleared", async () => {
    let finishRecovery!: () => void;
    const slow = new Promise<void>((r) => (finishRecovery = r));
    const f = fakeWorld([
      { run: (n) => (n === "first" ? Promise.reject(Object.assign(new Error("boom"), { name: "OpError" })) : ok(0)) },
      { recover: () => slow.then(() => state(1)) },
    ]);
    f.control[ABORT] = 1;
    f.control[f.layout.boards + 5] = 7;
    f.control[PADS_USED] = 4;
    f.control[f.layout.pads + 3] = 1;
    const err = await rejection(f.world.run("first"));
    expect(err.rank).toBe(0);
    expect(err.rankErrorName).toBe("OpError");
    const next = f.world.run("second");
    await sleep(100);
    expect(f.calls).not.toContain("run 0 second"); // waits for the recovery
    expect(f.control[ABORT]).toBe(1); // not cleared before every rank recovered
    finishRecovery();
    expect(await next).toEqual([0, 1]);
    expect([f.control[ABORT], f.control[f.layout.boards + 5], f.control[f.layout.pads + 3]]).toEqual([0, 0, 0]);
    expect(f.calls.filter((c) => c.startsWith("markBroken"))).toEqual([]);
  });

  it("groups whose states differ are marked broken on every rank, with the run's error as the reason", async () => {
    const f = fakeWorld([
      { run: (n) => (n === "drift" ? Promise.reject(new Error("boom")) : ok(0)), recover: () => state(2) },
      { recover: () => state(1) },
      { recover: () => state(1) },
    ]);
    await rejection(f.world.run("drift"));
    await f.world.run("after");
    const marks = f.calls.filter((c) => c.startsWith("markBroken"));
    expect(marks).toEqual([0, 1, 2].map((r) => `markBroken ${r} [{"group":"world","reason":"Error: boom"}]`));
  });

  it("a run that resolved but had a caught failure (hadFailures) is recovered too", async () => {
    const f = fakeWorld([{ run: () => Promise.resolve({ value: 0, hadFailures: true }) }, {}]);
    expect(await f.world.run("caught")).toEqual([0, 1]);
    await f.world.run("after");
    expect(f.calls).toContain("recover 0");
    expect(f.calls).toContain("recover 1");
    expect(f.calls.indexOf("recover 1")).toBeLessThan(f.calls.indexOf("run 0 after"));
  });

  it("no recovery after a clean run", async () => {
    const f = fakeWorld([{}, {}]);
    await f.world.run("a");
    await f.world.run("b");
    expect(f.calls.some((c) => c.startsWith("recover"))).toBe(false);
  });

  it("a rank whose recovery fails loses the world: every later run rejects with that cause", async () => {
    const f = fakeWorld([
      { run: () => Promise.reject(new Error("boom")) },
      { recover: () => Promise.reject(Object.assign(new Error("cannot reset"), { name: "OpError" })) },
    ]);
    await rejection(f.world.run("first"));
    const err = await rejection(f.world.run("second"));
    expect(err.rank).toBe(1);
    expect(err.rankErrorName).toBe("OpError");
    expect(err.message).toMatch(/the world was lost earlier \(rank 1, OpError: rank 1 could not recover after run\("first"\) failed: OpError: cannot reset\)/);
    expect(f.calls).not.toContain("run 0 second");
    const t0 = performance.now();
    await rejection(f.world.run("third"));
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it("a rank that never answers the recovery loses the world after the recovery timeout", async () => {
    const f = fakeWorld([
      { run: () => Promise.reject(new Error("boom")) },
      { recover: () => new Promise(() => {}) },
    ], 300);
    await rejection(f.world.run("first"));
    const err = await rejection(f.world.run("second"));
    expect(err.rank).toBe(1);
    expect(err.rankErrorName).toBe("TimeoutError");
    expect(err.message).toMatch(/rank 1 did not answer recover\(\) within 300 ms after run\("first"\) failed/);
  });
});
