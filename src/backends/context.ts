/** What a kernel receives besides its bound arguments: its own context, not the Rank. */
import type { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { Group } from "../heap/group.ts";
import type { OpSchema } from "../library/schema.ts";
import type { Backend } from "./backend.ts";
import type { RankContext } from "./rank-context.ts";

export type { RankContext } from "./rank-context.ts";

/** Something an op reports while it runs (a trace, a choice it made), for whoever listens. */
export interface OpEvent {
  /** The op's qualified name. */
  readonly op: string;
  /** What kind of report: "trace", ... (the op documents its kinds). */
  readonly kind: string;
  /** The report itself (for "trace" from webshmem::host_all_reduce_, a HostAllReduceTrace). */
  readonly data: unknown;
}

/** What a kernel receives besides its bound arguments. */
export interface OpContext {
  /** The calling rank, as the layers below the rank see it. */
  readonly rank: RankContext;
  /** The schema of the op being called. */
  readonly schema: OpSchema;
  /**
   * The backend whose kernel runs: the one that owns the call's tensors (they may not mix
   * backends), or the rank's default backend when no argument is a backend's tensor.
   */
  readonly backend: Backend;
  /** The op's group (from its `group_name` argument), when it has one. */
  readonly group: Group | undefined;
  /**
   * A grow-only scratch region of at least `bytes` bytes in the op's group, owned by the
   * dispatcher (one per op and `purpose`), counted in `rank.stats.workspaceAllocations`. Growing
   * is collective: every rank of the group must ask for the same size at the same call.
   */
  workspace(purpose: string, bytes: number): Promise<SymmetricTensor<"uint8">>;
  /** The settings made with `rank.configure(op, settings)` for this op, or undefined. */
  readonly settings: Readonly<Record<string, unknown>> | undefined;
  /** True when someone listens to this rank's op events: only then should an op build them. */
  readonly listening: boolean;
  /** Calls every `rank.onEvent` listener with `{ op, kind, data }`, synchronously; without listeners it does nothing. */
  emit(kind: string, data: unknown): void;
}
