/**
 * Layout of the control SharedArrayBuffer that every rank sees: the abort word, the group
 * registry, the rendezvous exchange slots and the signal pads of every group.
 * All offsets are in Int32 words.
 */
export const ABORT = 0; // 0, or (rank + 1) of the first rank that failed in the current run
export const PADS_USED = 1; // words of the pad area handed out so far (for notify-all on abort)
const HEADER_WORDS = 16;

/** Per world rank: [groups created so far, hash of the new group's ranks]. */
export const GROUP_REG_WORDS = 4;
/** Per world rank: one rendezvous record (see rendezvous.ts). */
export const EXCHANGE_WORDS = 16;

/** Internal channels after the user's: rendezvous and group creation use them. */
export const INTERNAL_CHANNELS = 2;
export const MAX_GROUPS = 64;

export interface ControlLayout {
  readonly worldSize: number;
  readonly channels: number; // user-visible channels per group
  readonly groupReg: number;
  readonly exchange: number;
  readonly pads: number;
  readonly padCapacity: number;
  readonly totalWords: number;
}

export function controlLayout(worldSize: number, channels: number): ControlLayout {
  const groupReg = HEADER_WORDS;
  const exchange = groupReg + worldSize * GROUP_REG_WORDS;
  const pads = exchange + worldSize * EXCHANGE_WORDS;
  // Room for the world group and MAX_GROUPS - 1 subgroups of up to the world's size.
  const padCapacity = MAX_GROUPS * worldSize * worldSize * (channels + INTERNAL_CHANNELS);
  return { worldSize, channels, groupReg, exchange, pads, padCapacity, totalWords: pads + padCapacity };
}

export function createControlBuffer(layout: ControlLayout): SharedArrayBuffer {
  return new SharedArrayBuffer(layout.totalWords * 4);
}
