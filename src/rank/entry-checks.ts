/**
 * The argument checks of `Rank`'s own entries (tensor, zeros, read, call, configure, onEvent and
 * the one-sided calls), kept out of rank.ts so each method starts with one line. Every check
 * throws a WebshmemError subclass naming the method: OpError for tensors and ops,
 * SymmetricMemoryError for the heap and its signals. The one-sided checks run before the
 * collective rendezvous those calls may start, so a bad peer or channel fails alone, at once.
 */
import { backendOf, type Tensor, type TensorData } from "../backends/backend.ts";
import { checkOptions, describeValue } from "../core/args.ts";
import { type DType, checkShape, normalizeDType } from "../core/dtype.ts";
import { OpError, SymmetricMemoryError } from "../core/errors.ts";
import { checkPeerInRange } from "../core/ranges.ts";
import type { SignalOptions } from "../heap/sync/signal-pad.ts";
import { requireSymmetric, SymmetricTensor } from "../heap/symmetric-tensor.ts";

/** `rank.tensor`'s data, dtype and shape, checked. */
export function checkTensorArgs(
  data: unknown, opts: { dtype?: DType | string; shape?: readonly number[] } | undefined,
): { data: TensorData; dtype: DType; shape: readonly number[] } {
  const o = checkOptions(opts, "rank.tensor", OpError);
  const typed = ArrayBuffer.isView(data) && !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array);
  if (!typed && !Array.isArray(data)) {
    throw new OpError(`rank.tensor: data must be an array of numbers or a typed array, found ${describeValue(data)}`);
  }
  if (!typed) {
    const list = data as unknown[];
    for (let i = 0; i < list.length; i++) {
      if (typeof list[i] !== "number") {
        throw new OpError(`rank.tensor: data must hold numbers, found ${describeValue(list[i])} at index ${i}`);
      }
    }
  }
  const dtype = normalizeDType(o.dtype ?? "float32", "rank.tensor");
  const shape = o.shape ?? [(data as TensorData).length];
  checkShape(shape, "rank.tensor");
  return { data: data as TensorData, dtype, shape };
}

/**
 * Runs a backend's tensor allocation, turning the runtime's own allocation failure (a RangeError
 * for a buffer too large for the machine) into an OpError naming the tensor.
 */
export function allocating<T>(what: string, shape: readonly number[], dtype: DType, make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof RangeError) {
      throw new OpError(`${what}: could not allocate a ${dtype}[${shape.join(", ")}] tensor: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/** A tensor argument: a live symmetric tensor or a tensor of a registered backend. */
export function checkTensor(t: unknown, what: string): Tensor {
  if (t instanceof SymmetricTensor) {
    t.assertLive(what);
    return t;
  }
  if (backendOf(t) === undefined) {
    throw new OpError(`${what}: expected a tensor (rank.tensor, rank.zeros or symm.empty), found ${describeValue(t)}`);
  }
  return t as Tensor;
}

/** The error for an op name (of call, meta and configure) that is not a string; undefined for a string. */
export function opNameError(name: unknown, what: string): OpError | undefined {
  if (typeof name === "string") return undefined;
  return new OpError(`${what}: the operator name must be a string such as "symm_mem::one_shot_all_reduce", found ${describeValue(name)}`);
}

/** Throws opNameError's error. */
export function checkOpName(name: unknown, what: string): void {
  const err = opNameError(name, what);
  if (err !== undefined) throw err;
}

/** `configure`'s settings: undefined (clear) or a plain object. */
export function checkSettings(settings: unknown): void {
  if (settings === undefined) return;
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    throw new OpError(`configure: settings must be an object of settings (or undefined to clear them), found ${describeValue(settings)}`);
  }
  // Collective settings are compared across ranks as JSON: a BigInt or a cycle cannot be.
  try {
    JSON.stringify(settings);
  } catch (err) {
    throw new OpError(`configure: settings must be plain data (numbers, strings, booleans): ${(err as Error).message}`);
  }
}

/** `onEvent`'s listener: a function. */
export function checkListener(listener: unknown): void {
  if (typeof listener !== "function") {
    throw new OpError(`onEvent: the listener must be a function, found ${describeValue(listener)}`);
  }
}

/** put / get(t, peer): a live symmetric tensor and a peer of its group. */
export function checkOneSided(t: unknown, peer: unknown, what: string): SymmetricTensor {
  const s = requireSymmetric(t, what);
  checkPeerInRange(what, peer, s.group.name, s.group.size);
  return s;
}

/** putWithSignal / waitSignal: the tensor, peer, channel and options, all before any rendezvous or CAS. */
export function checkSignalled(t: unknown, peer: unknown, channel: unknown, opts: unknown, what: string): void {
  const s = requireSymmetric(t, what);
  if (channel === undefined || channel === null) {
    throw new SymmetricMemoryError(`${what}: channel is required: expected an integer in [0, signalChannels)`);
  }
  const o = checkOptions(opts as object | undefined, what, SymmetricMemoryError);
  s.group.pads.checkCall(peer, { ...(o as SignalOptions), channel: channel as number }, what);
}
