/**
 * Reading and writing the small int32 tensors of the all-to-alls (splits, offsets, plans) and the
 * unregistered `out` of `_all_to_all_get`, whatever they are: a symmetric tensor (any group) is
 * host memory and is read and written in place; a backend's regular tensor goes through the
 * backend (`read`, and `endpoint` to write), so the kernels work on every backend alike.
 */
import type { Tensor } from "../../backends/backend.ts";
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { describeTensor } from "./checks.ts";

/** The argument as a tensor of the call's backend or a symmetric tensor; anything else is an OpError. */
function tensorArg(ctx: OpContext, name: string, t: unknown): Tensor {
  if (t instanceof SymmetricTensor || ctx.backend.isTensor(t)) return t as Tensor;
  throw new OpError(
    `${ctx.schema.qualifiedName}: argument "${name}" expected a symmetric tensor or a "${ctx.backend.name}" tensor, ` +
      `found ${describeTensor(t)}`,
  );
}

/** A copy of an int32 tensor's elements (the dtype was checked by the op's meta checks). */
export async function readInts(ctx: OpContext, name: string, value: unknown): Promise<Int32Array> {
  const t = tensorArg(ctx, name, value);
  if (t instanceof SymmetricTensor) return new Int32Array(t.bytes.slice().buffer);
  const host = await ctx.backend.read(ctx.rank, t);
  return host instanceof Int32Array ? host : Int32Array.from(host as ArrayLike<number>);
}

/** A tensor's bytes to change in place, and how to store them (a no-op where they are the tensor's own). */
export interface WritableBytes {
  readonly bytes: Uint8Array;
  commit(): void;
}

/**
 * The tensor's bytes, writable: a symmetric tensor's own bytes; a regular tensor's host bytes
 * when the backend has them, else a staged copy of the whole tensor (so bytes left alone keep
 * their values) that `commit` writes back in one piece, in queue order.
 */
export async function writableBytes(ctx: OpContext, name: string, value: unknown): Promise<WritableBytes> {
  const t = tensorArg(ctx, name, value);
  const none = () => {};
  if (t instanceof SymmetricTensor) return { bytes: t.bytes, commit: none };
  const endpoint = ctx.backend.endpoint(ctx.rank, t);
  if (endpoint.hostBytes !== undefined) return { bytes: endpoint.hostBytes, commit: none };
  const n = endpoint.nbytes;
  if (n === 0) return { bytes: new Uint8Array(0), commit: none };
  const staged = new Uint8Array(n + endpoint.stagePadding);
  await endpoint.stage(0, n, staged);
  const bytes = staged.subarray(0, n);
  return {
    bytes,
    commit: () => {
      endpoint.write(0, bytes);
      endpoint.flush(0, n);
    },
  };
}

/** Overwrites an int32 tensor with `values` (as many as it has elements). */
export async function writeInts(ctx: OpContext, name: string, value: unknown, values: Int32Array): Promise<void> {
  const t = tensorArg(ctx, name, value);
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (t instanceof SymmetricTensor) return void t.bytes.set(bytes);
  const endpoint = ctx.backend.endpoint(ctx.rank, t);
  if (endpoint.hostBytes !== undefined) return void endpoint.hostBytes.set(bytes);
  endpoint.write(0, bytes);
  endpoint.flush(0, bytes.length);
}
