import type { Agreement } from "./agreement.ts";
import { SignalPad } from "./sync/signal-pad.ts";

/** Why a group may not be used: for the rest of the run, or for good. */
export interface Breakage {
  /** The original cause, as "<ErrorName>: <message>". */
  readonly reason: string;
  /** True when a recovery found the ranks apart: it stays broken. */
  readonly forGood: boolean;
}

/**
 * A process group: "world" or a subgroup made with `newGroup(ranks)`. Ranks inside a group are
 * numbered 0..size-1 in the order of `ranks` (world ranks, sorted), as in PyTorch.
 */
export class Group {
  /** This rank's rank in the group, or -1 when it is not a member. */
  readonly rank: number;
  /** Set when a failure left the group unusable (see Breakage); collectives then reject at once. @internal */
  breakage: Breakage | undefined;

  constructor(
    /** "world", or the subgroup's name (`newGroup`'s `name` option, default `group<index>`). */
    readonly name: string,
    /** Creation index; 0 is the world. */
    readonly index: number,
    /** World ranks of the members, sorted. */
    readonly ranks: readonly number[],
    worldRank: number,
    /** The group's signal pads (only meaningful for members). */
    readonly pads: SignalPad,
    /** The group's collective call counter and agreement boards (agreement.ts). @internal */
    readonly agreement: Agreement,
  ) {
    this.rank = ranks.indexOf(worldRank);
  }

  /** Number of member ranks. */
  get size(): number {
    return this.ranks.length;
  }

  /** True when this rank is a member (`rank` ≥ 0). */
  get isMember(): boolean {
    return this.rank >= 0;
  }

  /** World rank of group rank `r`. */
  worldRankOf(r: number): number {
    return this.ranks[r];
  }
}
