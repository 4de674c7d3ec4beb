/** Meta kernels of broadcast, get_remote_tensors and the u32 writes. */

import type { MetaContext, TensorMeta } from "../../library/meta.ts";
import { checkMemset, checkRoot, checkStreamWrite, groupSizeOf, opName, tensor, type Args } from "../shape-checks.ts";
import { like } from "./all-reduce-meta.ts";

export function broadcast(args: Args, ctx: MetaContext): TensorMeta {
  const size = groupSizeOf(args, ctx);
  checkRoot(opName(ctx), args.root, args.group_name as string, size);
  return tensor(args, "input");
}

export function getRemoteTensors(args: Args, ctx: MetaContext): TensorMeta[] {
  const size = groupSizeOf(args, ctx);
  const x = tensor(args, "x");
  return Array.from({ length: size }, () => like(x));
}

/** stream_write_value32_: the kernel's checks (shape-checks.ts), then `input` (in place). */
export function streamWriteValue32(args: Args, ctx: MetaContext): TensorMeta {
  const input = tensor(args, "input");
  checkStreamWrite(opName(ctx), input, args.offset as number, args.val as number);
  return input;
}

/** memset32_: the kernel's checks, then `input`. */
export function memset32(args: Args, ctx: MetaContext): TensorMeta {
  const input = tensor(args, "input");
  checkMemset(opName(ctx), input, args.offset as number, args.val as number, args.count as number);
  return input;
}
