import { afterEach, describe, expect, it } from "vitest";
import { launch, LaunchError, type World } from "../src/index.ts";

const rankModule = new URL("./fixtures/alloc-ranks.ts", import.meta.url);
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("launch() option errors", () => {
  const base = { worldSize: 2, heapBytes: 4096, backend: "cpu" as const, rankModule };
  it.each([
    [{ worldSize: 0 }, /worldSize must be an integer in \[1, 16\], found 0/],
    [{ worldSize: 17 }, /worldSize must be an integer in \[1, 16\], found 17/],
    [{ worldSize: 2.5 }, /worldSize must be an integer in \[1, 16\], found 2.5/],
    [{ heapBytes: 100 }, /heapBytes must be an integer in \[256, 1073741824\], found 100/],
    [{ heapBytes: 2 ** 31 }, /heapBytes must be an integer in \[256, 1073741824\], found 2147483648/],
    [{ backend: "cuda" }, /backend must be one of the registered backends \("cpu", "webgpu"\), found "cuda"/],
    [{ rankModule: "" }, /give exactly one of rankModule .* and rankWorker .*found neither/],
    [{ wasmHeap: "yes" }, /wasmHeap must be true or false, found "yes"/],
  ])("%o", async (override, message) => {
    await expect(launch({ ...base, ...(override as object) } as never)).rejects.toThrow(message);
    await expect(launch({ ...base, ...(override as object) } as never)).rejects.toBeInstanceOf(LaunchError);
  });

  it("makes the heap WebAssembly memories exactly where the runtime has multi-memory (not Node 20), unless wasmHeap: false", async () => {
    const { directSupported } = await import("../src/core/wasm/direct-wasm.ts");
    for (const wasmHeap of [undefined, false]) {
      const world = await launch({ ...base, ...(wasmHeap === undefined ? {} : { wasmHeap }) });
      try {
        expect(world.wasmHeap).toBe(wasmHeap === false ? false : directSupported());
      } finally {
        await world.close();
      }
    }
  });

  it("webgpu on Node without a usable Vulkan driver says which driver fixes it", async () => {
    const before = process.env.VK_ICD_FILENAMES;
    process.env.VK_ICD_FILENAMES = "/nonexistent/vulkan_icd.json";
    try {
      const run = launch({ ...base, backend: "webgpu" });
      await expect(run).rejects.toBeInstanceOf(LaunchError);
      await expect(launch({ ...base, backend: "webgpu" })).rejects.toThrow(
        /no WebGPU adapter in node: .*VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json .*or launch with backend: "cpu"/,
      );
    } finally {
      if (before === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = before;
    }
  });

  it("reports a rank module that does not load, and ends the workers", async () => {
    await expect(launch({ ...base, rankModule: new URL("./fixtures/no-such-module.ts", import.meta.url) }))
      .rejects.toThrow(/launch failed: .*no-such-module/);
  });

  it("names the missing export", async () => {
    world = await launch(base);
    await expect(world.run("noSuchFunction")).rejects.toThrow(
      /rank \d failed in run\("noSuchFunction"\): TypeError: rankModule .*alloc-ranks.ts exports no function "noSuchFunction"; it exports: .*allocPattern/,
    );
  });
});

describe("symmetric heap through launch (cpu backend)", () => {
  for (const worldSize of [2, 4, 8]) {
    it(`allocates the same offsets on ${worldSize} ranks, with free and reuse`, async () => {
      world = await launch({ worldSize, heapBytes: 1 << 16, backend: "cpu", rankModule });
      const results = await world.run<number[]>("allocPattern");
      // b (42 B) at 512 after a freed a (400 B → 512), c at 768, d reuses a's block at 0
      for (const r of results) expect(r).toEqual([512, 768, 0, 256, worldSize]);
    });
  }

  it("throws on exhaustion with the requested and available bytes", async () => {
    world = await launch({ worldSize: 2, heapBytes: 4096, backend: "cpu", rankModule });
    const messages = await world.run<string>("exhaust", 8192);
    for (const m of messages) expect(m).toMatch(/requested 8192 bytes .* available 4096 bytes in total/);
  });

  it("refuses a freed tensor", async () => {
    world = await launch({ worldSize: 2, heapBytes: 4096, backend: "cpu", rankModule });
    for (const m of await world.run<string>("useAfterFree")) expect(m).toMatch(/world#0 was freed/);
  });

  it("detects ranks that create different groups", async () => {
    world = await launch({ worldSize: 3, heapBytes: 4096, backend: "cpu", rankModule });
    await expect(world.run("groupMismatch")).rejects.toThrow(/newGroup: ranks disagree/);
  });

  it("refuses runs after close", async () => {
    world = await launch({ worldSize: 2, heapBytes: 4096, backend: "cpu", rankModule });
    await world.close();
    await expect(world.run("allocPattern")).rejects.toThrow(/the world is closed/);
  });
});
