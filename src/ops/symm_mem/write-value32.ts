/**
 * stream_write_value32_ and memset32_: u32 writes into a flat uint32 tensor, checked with
 * PyTorch's messages. One kernel serves every backend: the backend writes its own memory.
 */
import type { Tensor } from "../../backends/backend.ts";
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { checkMemset, checkStreamWrite, describeTensor } from "../shape-checks.ts";

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
  const input = args.input as Tensor;
  const offset = args.offset as number;
  const val = args.val as number;
  checkStreamWrite(ctx.schema.qualifiedName, input, offset, val);
  fillU32(ctx, input, offset, val, 1);
  return input;
}

export async function memset32(args: BoundArgs, ctx: OpContext): Promise<Tensor> {
  const input = args.input as Tensor;
  const offset = args.offset as number;
  const val = args.val as number;
  const count = args.count as number;
  checkMemset(ctx.schema.qualifiedName, input, offset, val, count);
  fillU32(ctx, input, offset, val, count);
  return input;
}
