/**
 * Layout of the control SharedArrayBuffer that every rank sees: the abort word, the group
 * registry, the rendezvous exchange slots and the signal pads of every group.
 * All offsets are in Int32 words.
 */
export const ABORT = 0; // 0, or (rank + 1) of the first rank that failed in the current run
export const PADS_USED = 1; // words of the pad area handed out so far (for notify-all on abort)
/** Per world rank from this word: 0 while its worker lives, else a `deathCode` (see wait.ts). */
export const DEATHS = 16;
/** The most ranks a world has (launch checks worldSize against it). */
export const MAX_RANKS = 16;
const HEADER_WORDS = DEATHS + MAX_RANKS;

/** Per world rank: [groups created so far, hash of the new group's ranks]. */
export const GROUP_REG_WORDS = 4;
/** Per world rank: one rendezvous record (see rendezvous.ts). */
export const EXCHANGE_WORDS = 16;

/**
 * Per group and world rank: the agreement board of the collective in flight (agreement.ts):
 * [call number, state, signature words...].
 */
export const BOARD_WORDS = 48;

/** Internal channels after the user's: rendezvous and group creation use them. */
export const INTERNAL_CHANNELS = 2;
export const MAX_GROUPS = 64;

export interface ControlLayout {
  readonly worldSize: number;
  readonly channels: number; // user-visible channels per group
  readonly groupReg: number;
  readonly exchange: number;
  /** First word of the agreement boards: MAX_GROUPS × worldSize × BOARD_WORDS words. */
  readonly boards: number;
  readonly pads: number;
  readonly padCapacity: number;
  readonly totalWords: number;
}

export function controlLayout(worldSize: number, channels: number): ControlLayout {
  const groupReg = HEADER_WORDS;
  const exchange = groupReg + worldSize * GROUP_REG_WORDS;
  const boards = exchange + worldSize * EXCHANGE_WORDS;
  const pads = boards + MAX_GROUPS * worldSize * BOARD_WORDS;
  // Room for the world group and MAX_GROUPS - 1 subgroups of up to the world's size.
  const padCapacity = MAX_GROUPS * worldSize * worldSize * (channels + INTERNAL_CHANNELS);
  return { worldSize, channels, groupReg, exchange, boards, pads, padCapacity, totalWords: pads + padCapacity };
}

/** First word of the agreement board of world rank `rank` in the group of creation index `group`. */
export function boardOf(layout: ControlLayout, group: number, rank: number): number {
  return layout.boards + (group * layout.worldSize + rank) * BOARD_WORDS;
}

export function createControlBuffer(layout: ControlLayout): SharedArrayBuffer {
  return new SharedArrayBuffer(layout.totalWords * 4);
}
