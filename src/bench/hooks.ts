/**
 * Installs the --breakdown hooks in a rank worker: wrappers around the few places every
 * collective passes through, so no library file carries timing code:
 *   - backend.toHeap (realization: device → heap)            → readback  (opaque)
 *   - backend.fromHeap (copy-back: heap → device)            → copy_out  (opaque)
 *   - SymmetricMemoryHandle.barrier (the ops' synchronisation) → barrier (opaque)
 *   - hostReducer.reduceToHeapsSync / reduceSmall (the host all-reduce's own reduction,
 *     WebAssembly or JS, on every backend)                   → kernel
 *   - Reducer.reduceToHeap / reduceToTensor                  → kernel, with inside it
 *       GPUQueue.writeBuffer                                 → upload    (opaque)
 *       the staging ring's readbacks (waiting for the GPU, reading back) → readback (opaque)
 * Anything else inside the timed window (heap copies of two-shot's gather, bookkeeping, ops that
 * bypass these paths) is "other". WebGPU has no portable timer for a kernel's own execution:
 * a kernel's GPU time shows up in the next wait for the GPU (readback or drain).
 */
import {
  type Backend, getBackend, hostReducer, observeReadbacks, type Rank, type Reducer, SymmetricMemoryHandle,
} from "../internal.ts";
import { recorder } from "./recorder.ts";

let installed = false;

type Fn = (...args: never[]) => unknown;

function wrapMethod(target: object, key: string, wrap: (orig: Fn) => Fn): void {
  const t = target as Record<string, unknown>;
  const orig = t[key];
  if (typeof orig !== "function") return;
  t[key] = wrap(orig as Fn);
}

function wrapReducer(r: Reducer): Reducer {
  return {
    reduceToHeap: (job, dst) => recorder.span("kernel", false, () => r.reduceToHeap(job, dst)),
    reduceToTensor: (job, shape) => recorder.span("kernel", false, () => r.reduceToTensor(job, shape)),
  };
}

function wrapBackend(b: Backend): void {
  const wrapped = new WeakMap<Reducer, Reducer>();
  wrapMethod(b, "toHeap", (orig) => function (this: unknown, ...a: never[]) {
    return recorder.span("readback", true, async () => orig.apply(this, a));
  });
  wrapMethod(b, "fromHeap", (orig) => function (this: unknown, ...a: never[]) {
    return recorder.span("copy_out", true, async () => orig.apply(this, a));
  });
  wrapMethod(b, "reducer", (orig) => function (this: unknown, ...a: never[]) {
    const r = orig.apply(this, a) as Reducer;
    let w = wrapped.get(r);
    if (w === undefined) wrapped.set(r, (w = wrapReducer(r)));
    return w;
  });
}

/** Idempotent; only this worker's realm is affected. */
export function installBreakdownHooks(rank: Rank): void {
  if (installed) return;
  installed = true;
  wrapBackend(getBackend(rank.backend));
  for (const key of ["reduceToHeapsSync", "reduceSmall"]) {
    wrapMethod(hostReducer, key, (orig) => function (this: unknown, ...a: never[]) {
      return recorder.spanSync("kernel", false, () => orig.apply(this, a));
    });
  }
  wrapMethod(SymmetricMemoryHandle.prototype, "barrier", (orig) => function (this: unknown, ...a: never[]) {
    return recorder.span("barrier", true, async () => orig.apply(this, a));
  });
  const g = globalThis as { GPUQueue?: { prototype: object } };
  if (g.GPUQueue !== undefined) {
    wrapMethod(g.GPUQueue.prototype, "writeBuffer", (orig) => function (this: unknown, ...a: never[]) {
      return recorder.spanSync("upload", true, () => orig.apply(this, a));
    });
  }
  observeReadbacks({ readback: (_bytes, wait) => recorder.span("readback", true, wait) });
}
