/**
 * all_to_all_vdev, all_to_all_vdev_2d (MoE dispatch) and all_to_all_vdev_2d_offset (MoE combine):
 * pure heap copies of rows of dim 0, with the splits on the device as in PyTorch
 * (torch/csrc/distributed/c10d/symm_mem/nvshmem_extension.cu). The splits are exchanged through
 * the heap (all-to-all-exchange.ts), every rank checks every rank's plan (all-to-all-layout.ts),
 * then each rank pulls its chunks from its peers' `input` into its own `out`, so every write is
 * local (PyTorch's kernels pull too: nvshmemx_getmem). `in_splits` / `in_splits_offsets` and
 * `out_splits_offsets` are not registered symm-mem arguments (as in PyTorch's _register_ops.py),
 * so they may be regular tensors of the call's backend or symmetric ones; they are int32 here.
 * Rows of `out` no chunk lands on keep their bytes.
 */
import type { OpContext } from "../../backends/context.ts";
import { itemsize, numelOf } from "../../core/dtype.ts";
import type { Group } from "../../heap/group.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import { peerBytes } from "../../heap/peer-regions.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import type { MetaContext } from "../../library/meta.ts";
import { allToAllVdev as metaVdev, allToAllVdev2d as meta2d, allToAllVdev2dOffset as meta2dOffset } from "../meta/all-to-all-meta.ts";
import { checkDisjoint, opGroup, symmetricArg } from "./checks.ts";
import { exchangeThen } from "./all-to-all-exchange.ts";
import { readInts, writeInts } from "./all-to-all-io.ts";
import {
  checkFits, checkOffsetSources, checkSplits, checkSplitSums, layout1d, layout2d, layout2dOffset, type Chunk, type Layout,
} from "./all-to-all-layout.ts";

/** The op's own meta checks (shapes, dtypes, major_align), with the group's size. */
export function metaContext(ctx: OpContext, group: Group): MetaContext {
  return { schema: ctx.schema, groupSize: () => group.size };
}

/** Bytes of one row of dim 0 (PyTorch's `stride(0) * element_size()` of a contiguous tensor). */
export function rowBytes(t: SymmetricTensor): number {
  return numelOf(t.shape.slice(1)) * itemsize(t.dtype);
}

/** Copies each chunk from its peer's `input` into `out` (this rank's bytes of it). */
export function pullChunks(
  h: SymmetricMemoryHandle, input: SymmetricTensor, out: Uint8Array, chunks: readonly Chunk[], row: number,
): void {
  for (const c of chunks) {
    if (c.rows > 0) out.set(peerBytes(h, c.peer, input, c.srcRow * row, c.rows * row), c.dstRow * row);
  }
}

interface VdevSpec {
  /** The argument with the splits (and offsets). */
  readonly splits: "in_splits" | "in_splits_offsets";
  /** Checks every rank's words (index: rank) against `input`'s rows; throws the OpError. */
  check(op: string, all: readonly Int32Array[], inputRows: number): void;
  /** Rank r's layout from every rank's words. */
  layout(all: readonly Int32Array[], r: number): Layout;
}

async function runVdev(args: BoundArgs, ctx: OpContext, spec: VdevSpec): Promise<undefined> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const input = symmetricArg(ctx, args, "input");
  const out = symmetricArg(ctx, args, "out");
  checkDisjoint(op, ["input", input], ["out", out]);
  const outBytes = out.bytes;
  const words = await readInts(ctx, spec.splits, args[spec.splits]);
  const h = await ctx.rank.symm.rendezvous(input, group);
  const inputRows = input.shape[0];
  const outRows = out.shape[0];
  const row = rowBytes(input);
  const layout = await exchangeThen(ctx, group, words, (all) => {
    spec.check(op, all, inputRows);
    const layouts = all.map((_, r) => spec.layout(all, r));
    checkFits(op, layouts, outRows);
    return layouts[group.rank];
  }, (l) => pullChunks(h, input, outBytes, l.chunks, row));
  await writeInts(ctx, "out_splits_offsets", args.out_splits_offsets, layout.splitsOffsets);
  return undefined;
}

/** all_to_all_vdev: `in_splits` is [world]; out_splits_offsets [2, world] gets the received splits and their offsets. */
export async function allToAllVdev(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  metaVdev(args, metaContext(ctx, opGroup(ctx)));
  const world = opGroup(ctx).size;
  return runVdev(args, ctx, {
    splits: "in_splits",
    check: (op, all, rows) => {
      checkSplits(op, all, world, "in_splits");
      checkSplitSums(op, all, world, rows, "in_splits");
    },
    layout: layout1d,
  });
}

/** all_to_all_vdev_2d: rank-major in, expert-major out, expert blocks aligned to `major_align` (default 1). */
export async function allToAllVdev2d(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  meta2d(args, metaContext(ctx, opGroup(ctx)));
  const world = opGroup(ctx).size;
  const n = (args.in_splits as { shape: readonly number[] }).shape[0];
  const align = (args.major_align as number | null) ?? 1;
  return runVdev(args, ctx, {
    splits: "in_splits",
    check: (op, all, rows) => {
      checkSplits(op, all, n, "in_splits");
      checkSplitSums(op, all, n, rows, "in_splits");
    },
    layout: (all, r) => layout2d(all, r, n / world, align),
  });
}

/** all_to_all_vdev_2d_offset: expert-major in at the given offsets (padding not sent), rank-major out. */
export async function allToAllVdev2dOffset(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  meta2dOffset(args, metaContext(ctx, opGroup(ctx)));
  const world = opGroup(ctx).size;
  const n = (args.in_splits_offsets as { shape: readonly number[] }).shape[1];
  return runVdev(args, ctx, {
    splits: "in_splits_offsets",
    check: (op, all, rows) => {
      checkSplits(op, all, n, "in_splits_offsets[0]");
      checkOffsetSources(op, all, n, rows);
    },
    layout: (all, r) => layout2dOffset(all, r, n / world),
  });
}
