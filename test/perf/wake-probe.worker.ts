/**
 * A worker of the wake-up probe (wake-probe.ts). Words of `sab` (Int32): 0 the round started,
 * 1 arrivals (monotonic), 2 the round released, 3 acknowledgements; `times` (Float64) the release
 * time of each round when a worker released it (pad: when the last one arrived). Per round, with --op: wait for the start, read 8 B
 * back from its own GPU buffer, then arrive (the last worker releases everyone: a central barrier
 * in a rank) or post the data to the main thread (the naive baseline); without --op it only waits
 * for the main thread's release. Once released it notes the wall-clock time, with --gpu uploads
 * 8 B and waits for the queue, and acknowledges. After the last round it posts its times.
 */
type Mode = "block" | "async" | "pad" | "message";

interface Init {
  readonly type: "init";
  readonly sab: SharedArrayBuffer;
  readonly times: SharedArrayBuffer;
  /** pad: slot [dst * workers + src] holds the last round src signalled dst (a signal-pad barrier). */
  readonly pads: SharedArrayBuffer;
  readonly index: number;
  readonly workers: number;
  readonly mode: Mode;
  readonly rounds: number;
  readonly gpu: boolean;
  readonly op: boolean;
  /** µs of JS (a busy loop) each worker runs after the start and after the release: a rank's own per-call work. */
  readonly workUs: number;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(m: unknown, transfer?: Transferable[]): void;
};
const wall = () => performance.timeOrigin + performance.now();
const START = 0;
const ARRIVED = 1;
const RELEASE = 2;
const ACKS = 3;

let woke: number[] = [];
let ctl: Int32Array;
let times: Float64Array;
let pads: Int32Array;
let init: Init;
let device: GPUDevice | undefined;
let buffer: GPUBuffer | undefined;
let staging: GPUBuffer | undefined;
const bytes = new Uint8Array(8);

/** Keeps this thread busy for `init.workUs` µs (what a rank's dispatch and bookkeeping cost). */
function work(): void {
  if (init.workUs <= 0) return;
  const until = performance.now() + init.workUs / 1000;
  while (performance.now() < until) { /* busy */ }
}

/** A rank's readback of a small tensor: copy into a staging buffer, map it, copy out, unmap. */
async function readback(): Promise<ArrayBuffer> {
  if (device === undefined || buffer === undefined || staging === undefined) return new ArrayBuffer(8);
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, 0, staging, 0, 8);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const data = staging.getMappedRange().slice(0);
  staging.unmap();
  return data;
}

/** What a rank does once let out of a barrier: upload the result and wait for the queue. */
async function upload(): Promise<void> {
  if (device === undefined || buffer === undefined) return;
  device.queue.writeBuffer(buffer, 0, bytes);
  await device.queue.onSubmittedWorkDone();
}

async function waitAtLeast(index: number, value: number, words = ctl): Promise<void> {
  for (;;) {
    const seen = Atomics.load(words, index);
    if (seen >= value) return;
    if (init.mode !== "async") Atomics.wait(words, index, seen, 1000);
    else {
      const w = Atomics.waitAsync(words, index, seen, 1000);
      if (w.async) await w.value;
    }
  }
}

/**
 * The signal-pad barrier's shape (src/heap/sync/signal-pad.ts): signal every peer, then wait for
 * every peer in rank order, sleeping on each one's slot in turn. The last to arrive notes the release.
 */
async function padBarrier(r: number): Promise<void> {
  const n = init.workers;
  const me = init.index;
  for (let p = 0; p < n; p++) {
    if (p === me) continue;
    Atomics.store(pads, p * n + me, r);
    Atomics.notify(pads, p * n + me);
  }
  if (Atomics.add(ctl, ARRIVED, 1) === r * n - 1) times[r] = wall();
  for (let p = 0; p < n; p++) if (p !== me) await waitAtLeast(me * n + p, r, pads);
}

async function atomicsLoop(): Promise<void> {
  for (let r = 1; r <= init.rounds; r++) {
    if (init.op) {
      await waitAtLeast(START, r);
      work();
      await readback();
      if (init.mode === "pad") await padBarrier(r);
      else if (Atomics.add(ctl, ARRIVED, 1) === r * init.workers - 1) {
        times[r] = wall();
        Atomics.store(ctl, RELEASE, r);
        Atomics.notify(ctl, RELEASE);
      }
    }
    if (!(init.op && init.mode === "pad")) await waitAtLeast(RELEASE, r);
    woke.push(wall());
    work();
    await upload();
    Atomics.add(ctl, ACKS, 1);
    Atomics.notify(ctl, ACKS);
  }
  scope.postMessage({ type: "times", index: init.index, woke });
}

async function setUp(m: Init): Promise<void> {
  init = m;
  ctl = new Int32Array(m.sab);
  times = new Float64Array(m.times);
  pads = new Int32Array(m.pads);
  woke = [];
  if (m.gpu || m.op) {
    const adapter = await navigator.gpu?.requestAdapter();
    if (adapter == null) throw new Error("wake probe: --gpu or --op, but this worker has no WebGPU adapter");
    device = await adapter.requestDevice();
    buffer = device.createBuffer({ size: 8, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    staging = device.createBuffer({ size: 8, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  }
  scope.postMessage({ type: "ready" });
  if (m.mode !== "message") void atomicsLoop();
}

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as Init | { type: "start" } | { type: "go" } | { type: "finish" };
  switch (m.type) {
    case "init":
      void setUp(m);
      return;
    case "start":
      work();
      void readback().then((data) => scope.postMessage({ type: "data", data }, [data]));
      return;
    case "go":
      woke.push(wall());
      work();
      void upload().then(() => scope.postMessage({ type: "ack" }));
      return;
    case "finish":
      scope.postMessage({ type: "times", index: init.index, woke });
  }
};
