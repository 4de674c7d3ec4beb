/**
 * stream_write_value32_ and memset32_: u32 writes into a flat uint32 tensor, checked with
 * PyTorch's messages. One kernel serves every backend: the backend writes its own memory.
 */
import type { Tensor } from "../../backends/backend.ts";
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { describeTensor } from "./checks.ts";

const U32_MAX = 0xffffffff;

function flatU32(op: string, input: unknown): Tensor {
  const t = input as Tensor;
  // Every tensor here is contiguous; a flat one has exactly one dimension, as PyTorch demands.
  if (t.dtype !== "uint32" || t.shape.length !== 1) {
    throw new OpError(`${op}: input must be a flat, contiguous uint32 tensor; found ${describeTensor(t)}`);
  }
  return t;
}

function checkVal(op: string, val: number): void {
  if (val < 0 || val > U32_MAX) {
    throw new OpError(`${op}: val must be in the range of uint32 ([0, ${U32_MAX}]), found ${val}`);
  }
}

function checkOffset(op: string, offset: number): void {
  if (offset < 0) throw new OpError(`${op}: offset must be greater than or equal to 0, found ${offset}`);
}

/**
 * Writes `count` copies of `val` from element `offset`. Heap tensors are written with
 * Atomics.store so a peer polling the word sees it as soon as it lands (a flag, a counter);
 * a backend's tensors through the backend's fill32, ordered after the work queued before it.
 */
function fillU32(ctx: OpContext, t: Tensor, offset: number, val: number, count: number): void {
  if (t instanceof SymmetricTensor) {
    const words = (t as SymmetricTensor<"uint32">).data;
    for (let i = offset; i < offset + count; i++) Atomics.store(words, i, val);
  } else if (ctx.backend.isTensor(t)) {
    ctx.backend.fill32(ctx.rank, t, offset, val, count);
  } else {
    throw new OpError(`${ctx.schema.qualifiedName}: argument "input" is ${describeTensor(t)}, which this kernel cannot write`);
  }
}

export async function streamWriteValue32(args: BoundArgs, ctx: OpContext): Promise<Tensor> {
  const op = ctx.schema.qualifiedName;
  const input = flatU32(op, args.input);
  const offset = args.offset as number;
  const val = args.val as number;
  checkOffset(op, offset);
  if (offset >= input.numel) {
    throw new OpError(`${op}: offset must be less than the numel of the input (${input.numel}), found ${offset}`);
  }
  checkVal(op, val);
  fillU32(ctx, input, offset, val, 1);
  return input;
}

export async function memset32(args: BoundArgs, ctx: OpContext): Promise<Tensor> {
  const op = ctx.schema.qualifiedName;
  const input = flatU32(op, args.input);
  const offset = args.offset as number;
  const val = args.val as number;
  const count = args.count as number;
  checkOffset(op, offset);
  checkVal(op, val);
  if (count <= 0) throw new OpError(`${op}: count must be a positive integer, found ${count}`);
  if (offset + count > input.numel) {
    throw new OpError(
      `${op}: offset + count exceeded the numel of the input: ${offset} + ${count} = ${offset + count} > ${input.numel}`,
    );
  }
  fillU32(ctx, input, offset, val, count);
  return input;
}
