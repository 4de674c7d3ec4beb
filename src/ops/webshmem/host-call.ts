/** What the host all-reduce's paths share: the call, its workspace header and the agreement. */
import type { OpContext } from "../../backends/context.ts";
import { dtypeCode } from "../../core/dtype.ts";
import type { CollectiveDType, ReduceOp } from "../../core/reduce-op.ts";
import { checkAgreement, publishWords } from "../../heap/agree.ts";
import type { Group } from "../../heap/group.ts";
import type { HostAllReduceTuning } from "./host-tuning.ts";

export interface HostCall {
  readonly op: string;
  readonly ctx: OpContext;
  readonly group: Group;
  readonly dtype: CollectiveDType;
  readonly reduceOp: ReduceOp;
  readonly tuning: HostAllReduceTuning;
}

/** The op's workspace purpose: one grow-only region per group, owned by the dispatcher. */
export const HOST_WORKSPACE = "host_all_reduce";

/** Header words after the progress counters: what each rank passed, checked against its peers. */
const SHAPE_WORDS = 16;
const SHAPE_NAMES = ["bytes", "dtype code", "chunkBytes", "inSlots", "outSlots", "oneRoundMaxBytes", "reduceOnceMaxBytes"];

/** Publishes this rank's call shape into its header (before the barrier). */
export function publishShape(header: Int32Array, shape: readonly number[]): void {
  publishWords(header, SHAPE_WORDS, shape);
}

/** The shape words of a call through the workspace's pipeline or one-round layout: size, dtype, tuning. */
export function tunedShape(call: HostCall, bytes: number): number[] {
  const t = call.tuning;
  return [bytes, dtypeCode(call.dtype), t.chunkBytes, t.inSlots, t.outSlots, t.oneRoundMaxBytes, t.reduceOnceMaxBytes];
}

/** Every rank must pass the same number of bytes and dtype, and run the same tuning (after the barrier). */
export function checkShapes(call: HostCall, headers: readonly Int32Array[], mine: readonly number[]): void {
  checkAgreement({
    op: call.op, group: call.group, headers, at: SHAPE_WORDS, mine, names: SHAPE_NAMES,
    hint: "every rank must pass a tensor of the same dtype and size, and use the same host all-reduce tuning",
  });
}

/** The world's control words (abort word first): the buffer behind every signal pad view. */
export function controlOf(group: Group): Int32Array {
  return new Int32Array(group.pads.view(0).buffer);
}
