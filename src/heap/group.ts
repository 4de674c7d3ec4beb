import { SignalPad } from "./sync/signal-pad.ts";

/**
 * A process group: "world" or a subgroup made with `newGroup(ranks)`. Ranks inside a group are
 * numbered 0..size-1 in the order of `ranks` (world ranks, sorted), as in PyTorch.
 */
export class Group {
  /** This rank's rank in the group, or -1 when it is not a member. */
  readonly rank: number;

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
