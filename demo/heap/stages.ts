/**
 * What the heap panel's rank functions (demo/ranks/heap-ranks.ts) and the panel share: the
 * input every rank all-reduces, and the stages of the slow-motion runs with their captions. Each
 * rank writes the number of the stage it is in into a SharedArrayBuffer the page passed to it
 * (`progress[rank]`), and the page shows the caption of the slowest rank's stage.
 */

/** Rank `rank`'s element `i`: small integers, so sums in float32 are exact in any order. */
export function heapInput(rank: number, i: number): number {
  return ((i * 31 + rank * 17) % 61) - 30 + rank;
}

/** The slow-motion algorithms. */
export type HeapAlgo = "barrier" | "one_shot" | "two_shot";

/** One stage of a slow-motion run: a short title and what happens in it. */
export interface HeapStage {
  readonly title: string;
  readonly caption: string;
  /** The signal channel this stage's signals use, if it is a signal step. */
  readonly channel?: number;
}

const PREPARE: HeapStage = {
  title: "prepare",
  caption: "Each rank allocates the same symmetric buffer (symm.empty, same offset everywhere), copies its " +
    "input into its own copy and calls rendezvous: the ranks exchange (id, offset, size, dtype, shape) " +
    "through the internal channels and check they agree.",
};
const DONE: HeapStage = { title: "done", caption: "Every slot is back at 0: each putSignal (0 → 1) was consumed by a waitSignal (1 → 0)." };

/** The stages of each slow-motion run, in order; stage k of `algo` is `HEAP_STAGES[algo][k]`. */
export const HEAP_STAGES: Readonly<Record<HeapAlgo, readonly HeapStage[]>> = {
  barrier: [
    PREPARE,
    {
      title: "arrive",
      caption: "Ranks arrive one after the other (rank r after r pauses). An arriving rank raises its slot " +
        "[src = itself] on channel 0 in every peer's pad, then waits for every peer's slot in its own pad. " +
        "Watch the slots fill up: nobody can leave before the last rank has arrived.",
      channel: 0,
    },
    {
      title: "leave",
      caption: "The last rank has arrived: each rank consumes (1 → 0) the slot of every peer in its own pad and leaves.",
      channel: 0,
    },
    DONE,
  ],
  one_shot: [
    PREPARE,
    {
      title: "inputs ready",
      caption: "Signal step, channel 0: each rank raises its slot in every peer's pad (\"my input is in the heap\") " +
        "and pauses with the slots up; then it waits for every peer's slot and clears it.",
      channel: 0,
    },
    {
      title: "reduce",
      caption: "One shot: each rank reads the WHOLE buffer of every peer (getBuffer(peer)) and sums them in rank " +
        "order: world size × n elements read per rank, in one stage.",
    },
    {
      title: "done reading",
      caption: "Signal step, channel 1: nobody may reuse or free its buffer while a peer may still read it, so the " +
        "ranks meet once more.",
      channel: 1,
    },
    { title: "check", caption: "Each rank runs the library's rank.allReduce (one_shot) on the same input and compares bit for bit." },
    DONE,
  ],
  two_shot: [
    PREPARE,
    {
      title: "inputs ready",
      caption: "Signal step, channel 0: each rank raises its slot in every peer's pad (\"my input is in the heap\") " +
        "and pauses with the slots up; then it waits for every peer's slot and clears it.",
      channel: 0,
    },
    {
      title: "reduce-scatter",
      caption: "Stage 1, reduce-scatter: the buffer is cut into one chunk per rank. Rank r reads chunk r of every " +
        "peer's buffer (getBuffer(peer)), sums them in rank order and writes the sum into chunk r of its own copy. " +
        "Each rank reads only n / world size elements of each peer.",
    },
    {
      title: "reduce-scatter done",
      caption: "Signal step, channel 1: every rank's chunk is reduced. Slots light up as ranks finish their chunk; " +
        "a rank may not read a peer's reduced chunk before that peer's slot arrives.",
      channel: 1,
    },
    {
      title: "all-gather",
      caption: "Stage 2, all-gather: rank r copies the reduced chunk p out of peer p's buffer, for every peer p. " +
        "Now every rank holds the whole sum.",
    },
    {
      title: "all-gather done",
      caption: "Signal step, channel 2: nobody frees or rewrites its buffer while a peer may still copy a chunk from it.",
      channel: 2,
    },
    { title: "check", caption: "Each rank runs the library's rank.allReduce (two_shot) on the same input and compares bit for bit." },
    DONE,
  ],
};
