import { type Remote, wrap } from "comlink";
import { quote } from "../core/args.ts";
import { LaunchError } from "../core/errors.ts";
import { controlLayout, createControlBuffer } from "../heap/control.ts";
import "../rank/builtin-backends.ts";
import { listBackends } from "../backends/backend.ts";
import type { BackendName } from "../rank/rank.ts";
import { detectRuntime } from "../core/runtime.ts";
import type { RankApi } from "./protocol.ts";
import { type RankWorker, spawnRankWorker } from "./spawn.ts";
import { World } from "./world.ts";
import { heapBlockBytes } from "../heap/allocator.ts";
import { heapMemories, registerHeapMemory } from "../core/wasm/direct-wasm.ts";
import { explainLoadFailure, shortUrl, shortenUrls } from "./load-failure.ts";
import { settledWithin, within } from "./timers.ts";

export interface LaunchOptions {
  /** Number of ranks, 1..16. */
  worldSize: number;
  /** Bytes of symmetric heap per rank, 256 B..1 GiB (rounded up to 256). */
  heapBytes: number;
  /** "webgpu" (a GPUDevice per rank), "cpu", or a registered plugin's name. Node supports "cpu" only. */
  backend?: BackendName;
  /**
   * URL of the module whose exported functions `World.run` calls in every rank; the library's own
   * rank worker imports it. For runtimes that load files as they are: Deno (TypeScript allowed),
   * Node (a `.js` module: for TypeScript, use a `rankWorker` that registers your loader) and
   * unbundled pages. Give either this or `rankWorker`.
   */
  rankModule?: string | URL;
  /**
   * URL of a rank worker the application built: a module that calls `serveRanks(functions)` from
   * `webshmem/worker`. The way for bundlers, in development and production builds alike (Vite:
   * `import rankWorker from "./ranks.worker.ts?worker&url"`). Give either this or `rankModule`.
   */
  rankWorker?: string | URL;
  /**
   * Default timeout of every signal wait, in ms; also bounds the loading of the `rankModule`
   * in each rank (at least MIN_LOAD_MS, 2 s, so that a short wait timeout still lets a module
   * load). `0` means no timeout, as in PyTorch: waits and the module's loading are unbounded
   * (a worker must still start within 30 s). Default 10 000.
   */
  timeoutMs?: number;
  /** User signal channels per group. Default 32. */
  signalChannels?: number;
  /**
   * Where WebAssembly has multi-memory (Chromium, Deno; not Node 20), each rank's heap slab is a
   * shared WebAssembly.Memory, so the host reductions read every slab in place (about 1.5 × the
   * speed of copying through, BENCHMARKS.md). `false` keeps plain SharedArrayBuffers: the same
   * results, through the copy path (on Deno with WebGPU it was measured to hold 5–10 % less
   * memory). `world.wasmHeap` says which the launch made. Default true.
   */
  wasmHeap?: boolean;
}

export const MAX_WORLD_SIZE = 16;
export const MAX_HEAP_BYTES = 1 << 30;

function checkInt(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    throw new LaunchError(`launch: ${name} must be an integer in [${lo}, ${hi}], found ${quote(v)}`);
  }
  return v;
}

/**
 * Spawns one worker per rank, shares the heap slabs, connects each rank with comlink and
 * resolves once every rank has its device. On any failure every worker already started is ended.
 */
export async function launch(options: LaunchOptions): Promise<World> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new LaunchError(
      "launch: expected an options object ({ worldSize, heapBytes, backend, rankModule or rankWorker }), found " +
        (options === null ? "null" : Array.isArray(options) ? "an array" : typeof options),
    );
  }
  const runtime = detectRuntime();
  const worldSize = checkInt("worldSize", options.worldSize, 1, MAX_WORLD_SIZE);
  const heapBytes = heapBlockBytes(checkInt("heapBytes", options.heapBytes, 256, MAX_HEAP_BYTES));
  const timeoutMs = checkInt("timeoutMs", options.timeoutMs ?? 10_000, 0, 2 ** 31 - 1);
  const channels = checkInt("signalChannels", options.signalChannels ?? 32, 1, 1024);
  if (options.wasmHeap !== undefined && typeof options.wasmHeap !== "boolean") {
    throw new LaunchError(`launch: wasmHeap must be true or false, found ${quote(options.wasmHeap)}`);
  }
  const backend = options.backend ?? "webgpu";
  const known = listBackends();
  if (typeof backend !== "string" || !known.includes(backend)) {
    throw new LaunchError(
      `launch: backend must be one of the registered backends (${known.map((b) => JSON.stringify(b)).join(", ")}), ` +
        `found ${quote(backend)}`,
    );
  }
  for (const key of ["rankModule", "rankWorker"] as const) {
    const u: unknown = options[key];
    if (u !== undefined && typeof u !== "string" && !(u instanceof URL)) {
      throw new LaunchError(`launch: ${key} must be a URL or a URL string, found ${u === null ? "null" : typeof u}`);
    }
  }
  const given = (u: string | URL | undefined) => u !== undefined && String(u) !== "";
  if (given(options.rankModule) === given(options.rankWorker)) {
    throw new LaunchError(
      "launch: give exactly one of rankModule (the URL of a module exporting the rank functions) and rankWorker " +
        "(the URL of a worker that calls serveRanks from \"webshmem/worker\"), found " +
        (given(options.rankModule) ? "both" : "neither"),
    );
  }
  if (typeof SharedArrayBuffer === "undefined" ||
    (runtime === "chromium" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true)) {
    throw new LaunchError(
      "launch: this page is not cross-origin isolated, so SharedArrayBuffer is unavailable: serve it with " +
        "the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp " +
        "(the project's vite.config.ts sets both for `npm start` and `vite preview`)",
    );
  }

  const layout = controlLayout(worldSize, channels);
  const control = createControlBuffer(layout);
  let slabs: SharedArrayBuffer[];
  const memories = options.wasmHeap === false ? undefined : heapMemories(worldSize, heapBytes);
  try {
    slabs = memories?.map(registerHeapMemory) ?? Array.from({ length: worldSize }, () => new SharedArrayBuffer(heapBytes));
  } catch (e) {
    throw new LaunchError(`launch: could not allocate ${worldSize} heap slabs of ${heapBytes} bytes: ${String(e)}`);
  }
  const rankModule = given(options.rankModule) ? absoluteUrl(options.rankModule!) : undefined;
  const rankWorker = given(options.rankWorker) ? absoluteUrl(options.rankWorker!) : undefined;
  const readyMs = Math.max(timeoutMs, MIN_READY_MS);
  const loadMs = timeoutMs === 0 ? 0 : Math.max(timeoutMs, MIN_LOAD_MS);

  const workers: RankWorker[] = [];
  let apis: Remote<RankApi>[] = [];
  let inits: Promise<unknown>[] = [];
  try {
    for (let r = 0; r < worldSize; r++) workers.push(await spawnRankWorker(runtime, r, rankWorker));
    await Promise.all(workers.map((w, r) => whenReady(w, r, rankWorker !== undefined, readyMs)));
    apis = workers.map((w) => wrap<RankApi>(w.endpoint));
    inits = apis.map((api, rank) =>
      Promise.race([
        api.init({ rank, worldSize, backend, rankModule, slabs, memories, heapBytes, control, layout, timeoutMs }),
        workers[rank].died,
      ]));
    const adapters = (await Promise.all(inits)) as Awaited<ReturnType<RankApi["init"]>>[];
    // The rank module's top level may await forever: its loading is bounded by the timeout.
    await Promise.all(apis.map((api, rank) =>
      within(Promise.race([api.load(), workers[rank].died]), loadMs, () => new LaunchError(
        `launch: rank ${rank}: the ${rankModule === undefined ? "rank worker's functions" : `rank module ${shortUrl(rankModule)}`} ` +
          `did not finish loading within ${loadMs} ms (a top-level await that never settles?); the workers were ended`,
      ))));
    return new World({ runtime, backend, workers, apis, adapters, control, layout, heapBytes, wasmHeap: memories !== undefined });
  } catch (err) {
    await endAfterFailure(workers, apis, inits);
    if (err instanceof LaunchError) throw err;
    const e = err as Error;
    // Errors thrown in a worker cross comlink as plain Errors that keep their name.
    throw new LaunchError(
      `launch failed: ${e?.name === "LaunchError" ? "" : `${e?.name ?? "Error"}: `}${shortenUrls(e?.message ?? String(err))}`,
      { cause: err },
    );
  }
}

/** The least time a worker gets to load and say it is ready (16 workers on 2 cores take seconds). */
const MIN_READY_MS = 30_000;
/** The least time a rank gets to import the rank module (unless timeoutMs is 0: no bound). */
export const MIN_LOAD_MS = 2_000;

/** `u` as an absolute URL string: relative ones against the page (or the working directory). */
function absoluteUrl(u: string | URL): string {
  if (u instanceof URL) return u.href;
  try {
    return new URL(u).href;
  } catch {
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    if (page !== undefined) return new URL(u, page).href;
    const g = globalThis as { Deno?: { cwd(): string }; process?: { cwd(): string } };
    const cwd = g.Deno?.cwd() ?? g.process?.cwd() ?? "/";
    return new URL(u, `file://${cwd.endsWith("/") ? cwd : `${cwd}/`}`).href;
  }
}

/**
 * Resolves when rank `rank`'s worker has exposed its service; a worker that dies first (it could
 * not be loaded, or threw at its top level) or stays silent is a LaunchError that says why.
 */
async function whenReady(w: RankWorker, rank: number, ownWorker: boolean, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LaunchError(
      `launch: rank ${rank}'s worker ${shortUrl(w.script)} did not become ready within ${ms} ms` +
        (ownWorker ? ": a rank worker must call serveRanks(functions) from \"webshmem/worker\" at its top level" : ""),
    )), ms);
  });
  try {
    await Promise.race([w.ready, w.died, silent]);
  } catch (err) {
    if (err instanceof LaunchError) throw err;
    const what = ownWorker ? "rank worker" : "library's own rank worker, which a rankModule needs,";
    // The library's worker is missing where a bundler built the page (or pre-bundled webshmem):
    // there rankModule cannot work at all, whatever the server answered.
    const fix = ownWorker ? undefined : "in a page built by a bundler (or with webshmem pre-bundled, as Vite's dev server " +
      "does for dependencies) the library's own rank worker is not served, so rankModule cannot work there: build a rank " +
      "worker instead, `import rankWorker from \"./ranks.worker.ts?worker&url\"` and `launch({ rankWorker, ... })`, where " +
      "ranks.worker.ts calls `serveRanks` from \"webshmem/worker\" (README: Vite)";
    throw new LaunchError(`launch: rank ${rank}: ${await explainLoadFailure(what, w.script, err, fix)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** How long the other ranks get to finish starting, and to release their devices, after a failure. */
const SETTLE_MS = 5_000;

const settleWithin = (p: Promise<unknown>) => settledWithin(p, SETTLE_MS);

/**
 * Ends the workers of a launch that failed. Ranks still creating their devices are given time to
 * finish first, and ranks that started release their devices before their workers end: Dawn (the
 * webgpu package on Node) aborts the whole process when a worker is ended while it is creating a
 * device or still holds one (seen: "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw").
 */
async function endAfterFailure(
  workers: readonly RankWorker[], apis: readonly Remote<RankApi>[], inits: readonly Promise<unknown>[],
): Promise<void> {
  await settleWithin(Promise.allSettled(inits));
  const started = await Promise.all(inits.map((p) => p.then(() => true, () => false)));
  await Promise.all(apis.map((api, r) => (started[r] ? settleWithin(api.shutdown()) : Promise.resolve())));
  await Promise.all(workers.map((w) => w.terminate().catch(() => {})));
}
