/** Messages between the naive baseline's main thread and its plain workers. */
import type { CollectiveDType } from "../../internal.ts";

export type ToWorker =
  | { type: "init"; rank: number; backend: "webgpu" | "cpu"; dtype: CollectiveDType }
  /** count: elements of the input; outCount: of the result (the all-to-alls: may differ; default count). */
  | { type: "size"; count: number; outCount?: number }
  | { type: "reset" }
  | { type: "go" }
  | { type: "sum"; data: ArrayBuffer }
  | { type: "close" };

export type FromWorker =
  | { type: "ready" }
  | { type: "sized" }
  | { type: "was_reset" }
  | { type: "data"; data: ArrayBuffer }
  /** ms: the worker's time from "go"; at: wall-clock ms (trace.ts) of go, data posted, sum received, done. */
  | { type: "done"; ms: number; at: readonly [number, number, number, number] }
  | { type: "closed" }
  | { type: "error"; message: string };
