/**
 * The agreement exchange: every rank of a group writes what it was asked to do (sizes, dtype
 * code, settings) as int32 words into its own copy of a shared header, a barrier passes, and each
 * rank compares every peer's words with its own. Ranks that disagree fail together with an error
 * naming the first difference, before a byte of data moves.
 */
import { OpError } from "../core/errors.ts";
import type { Group } from "./group.ts";

/** Stores `words` at word `at` of this rank's header (before the barrier). */
export function publishWords(header: Int32Array, at: number, words: readonly number[]): void {
  words.forEach((v, i) => Atomics.store(header, at + i, v));
}

/** Word `at + i` of `header`, for each of `count` words (a peer's, after the barrier). */
export function readWords(header: Int32Array, at: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Atomics.load(header, at + i));
}

export interface AgreementCheck {
  readonly op: string;
  readonly group: Group;
  /** Every group rank's header, in group rank order. */
  readonly headers: readonly Int32Array[];
  /** Word index of the first published word. */
  readonly at: number;
  /** This rank's words and what each one means ("bytes", "dtype code", ...). */
  readonly mine: readonly number[];
  readonly names: readonly string[];
  /** What every rank must do alike, for the error. */
  readonly hint: string;
}

/** Throws an OpError naming the first word where a peer differs from this rank (after the barrier). */
export function checkAgreement(c: AgreementCheck): void {
  const { group } = c;
  for (let p = 0; p < c.headers.length; p++) {
    const theirs = readWords(c.headers[p], c.at, c.mine.length);
    const i = theirs.findIndex((v, k) => v !== c.mine[k]);
    if (i < 0) continue;
    throw new OpError(
      `${c.op}: ranks disagree on the call: rank ${group.worldRankOf(group.rank)} has ${c.names[i]} ` +
        `${c.mine[i]}, rank ${group.worldRankOf(p)} has ${theirs[i]} (group "${group.name}"; ${c.hint})`,
    );
  }
}
