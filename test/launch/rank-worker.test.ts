import { afterEach, describe, expect, it } from "vitest";
import { launch, LaunchError, type World } from "../../src/index.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const base = { worldSize: 3, heapBytes: 1 << 16, backend: "cpu" as const };

describe("launch({ rankWorker }): a worker the application built around serveRanks", () => {
  it("runs the functions it serves, the same as a rank module's", async () => {
    world = await launch({ ...base, rankWorker: new URL("../fixtures/node/alloc-rank-worker.mjs", import.meta.url) });
    const results = await world.run<number[]>("allocPattern");
    for (const r of results) expect(r).toEqual([512, 768, 0, 256, 3]);
  });

  it("names a function it does not serve, and what it does serve", async () => {
    world = await launch({ ...base, rankWorker: new URL("../fixtures/node/alloc-rank-worker.mjs", import.meta.url) });
    await expect(world.run("nope")).rejects.toThrow(/the rank worker's serveRanks no function "nope"; it serves: .*allocPattern/);
  });

  it("refuses both rankModule and rankWorker", async () => {
    await expect(launch({ ...base, rankModule: "file:///a.js", rankWorker: "file:///b.js" }))
      .rejects.toThrow(/give exactly one of rankModule .* and rankWorker .*found both/);
  });

  it("a rank worker file that does not exist: LaunchError with the URL and 'no such file'", async () => {
    const url = new URL("../fixtures/node/no-such-worker.mjs", import.meta.url).href;
    const err = await launch({ ...base, rankWorker: url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as Error).message).toMatch(/could not load the rank worker .*no-such-worker\.mjs \(received: no such file\)/);
  });
});

describe("launch({ rankModule }) that cannot be loaded", () => {
  it("a module that throws while loading: the URL and the module's own error", async () => {
    const err = await launch({ ...base, rankModule: new URL("../fixtures/node/throws-at-load.mjs", import.meta.url) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as Error).message).toMatch(/could not load the rank module .*throws-at-load\.mjs: Error: this rank module is broken on purpose/);
  });

  it("a bundler's data: URL: a short message with its type and the fix, never the whole URL", async () => {
    const dataUrl = `data:video/mp2t;base64,${"QUJD".repeat(20_000)}`;
    const err = await launch({ ...base, rankModule: dataUrl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    const m = (err as Error).message;
    expect(m.length).toBeLessThan(1500);
    expect(m).toContain(`a data: URL of type video/mp2t, ${dataUrl.length} characters`);
    expect(m).toContain("?worker&url");
  });
});
