/**
 * Cross-rank agreement on every collective (issue 13): before a collective moves a byte, each
 * rank publishes its call's signature (what it was asked to do, as int32 words) and its call
 * number on the group into its board in the control buffer; every peer whose signal it consumes
 * in the op is checked right then (the peer published before it signalled, so no extra round trip),
 * and peers it is still waiting for are checked every time the wait loop is about to sleep, so
 * ranks stuck at different synchronisations (one growing a workspace, the other in the kernel's
 * barrier) fail at once instead of at their timeout. A rank whose call fails marks its board, and
 * peers waiting for it learn that within a wait slice.
 *
 * Board layout (BOARD_WORDS int32 words per group and world rank, control.ts):
 * [call number, state, last call completed, signature words...]; the call number is written last.
 */
import { AgreementError, PeerLostError } from "../core/errors.ts";
import { BOARD_WORDS } from "./control.ts";

const SEQ = 0;
const STATE = 1;
const DONE = 2; // the number of the last call this rank completed
const LENGTH = 3; // words in the signature
const FIRST = 4;
/** Words of a signature: longer ones fold their tail into their last word (signature.ts). */
export const SIGNATURE_WORDS = BOARD_WORDS - FIRST;

const PUBLISHED = 1;
const FAILED = 2;
const REFUSED = 3;
/** The rank is writing its next call's words: what the board says of its previous call is gone. */
const WRITING = 4;

/** One call's signature: words to compare, what each means, and how to show a value. */
export interface Signature {
  /** The op's qualified name. */
  readonly op: string;
  /** At most SIGNATURE_WORDS words. */
  readonly words: readonly number[];
  /** What word `i` is ("op", "input's dtype", ...); computed only for an error. */
  name(i: number): string;
  /** A word's value as text, for the error (`i` is its index). */
  render(i: number, value: number): string;
}

/** Where a group's boards are and who is who (the heap builds it). */
export interface BoardGeometry {
  readonly control: Int32Array;
  /** First word of each group rank's board, in group rank order. */
  readonly boards: readonly number[];
  readonly myRank: number;
  readonly ranks: readonly number[]; // world ranks, by group rank
  readonly groupName: string;
}

interface Pending {
  readonly seq: number;
  readonly sig: Signature;
  readonly unchecked: Set<number>; // group ranks not verified yet
  touched: boolean; // this rank raised a one-sided signal in the call
}

const ordinal = (n: number): string => {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${s}`;
};

/** A group's agreement state on one rank: its call counter and the call in flight. */
export class Agreement {
  private seq = 0;
  private pending: Pending | undefined;

  constructor(private readonly g: BoardGeometry) {}

  /** Synchronisations this rank has entered and not finished (a failure inside one leaves signals behind). */
  private syncs = 0;

  /**
   * True while a call is in flight and a failure now would leave signals behind: this rank is
   * inside a synchronisation it has not finished (its signals to peers, or theirs to it, may stay
   * unconsumed), or it raised a one-sided signal in the call. A failure after a completed
   * synchronisation (a shape check after the realization's rendezvous) leaves the pads clean.
   */
  get touched(): boolean {
    return this.pending !== undefined && (this.pending.touched || this.syncs > 0);
  }

  /** A barrier of the group starts (before its first signal). */
  enterSync(): void {
    this.syncs++;
  }

  /** ...and ended: every signal it sent will be consumed by peers in the same barrier. */
  leaveSync(): void {
    this.syncs--;
  }

  /** Starts a call: publishes its signature and number. One call at a time per group. */
  begin(sig: Signature): void {
    const { control, boards, myRank } = this.g;
    const seq = ++this.seq;
    const at = boards[myRank];
    const words = sig.words;
    // WRITING first, so a peer still checking this rank's previous call (its number is still on
    // the board) never compares against half-written words; the call number last.
    Atomics.store(control, at + STATE, WRITING);
    for (let i = 0; i < words.length; i++) Atomics.store(control, at + FIRST + i, words[i]);
    Atomics.store(control, at + LENGTH, words.length);
    Atomics.store(control, at + STATE, PUBLISHED);
    Atomics.store(control, at + SEQ, seq);
    const unchecked = new Set<number>();
    for (let p = 0; p < boards.length; p++) if (p !== myRank) unchecked.add(p);
    this.pending = { seq, sig, unchecked, touched: false };
    this.syncs = 0;
  }

  /** This rank raised a one-sided signal for a peer (whether it is consumed is up to the peer). */
  touch(): void {
    if (this.pending !== undefined) this.pending.touched = true;
  }

  /** After a signal from `peer` was consumed: the peer must be at this call, with the same signature. */
  consumed(peer: number): void {
    const p = this.pending;
    // Its signal is here, so it reached this synchronisation; a failure after that is not this
    // rank's to report (a wait that needs the peer again throws), a disagreement always is.
    if (p !== undefined && p.unchecked.has(peer)) this.verify(p, peer, true, false);
  }

  /**
   * Before the wait loop sleeps: every peer already at this call must agree, and `waitingOn`
   * (the group rank this wait needs, or every peer when undefined) must not have failed in it (a
   * peer verified earlier in the call can fail later, at a workspace). Another peer's failure is
   * not this wait's business: that peer may have failed after it passed this synchronisation (its
   * signal to this rank is already here, a third rank's is on its way), and then this rank must
   * finish the synchronisation and fail in the call as that peer did, with the same error; should
   * this rank need the failed peer later, the wait for it throws then.
   */
  check(waitingOn?: number): void {
    const p = this.pending;
    if (p === undefined) return;
    const { control, boards, myRank } = this.g;
    for (let peer = 0; peer < boards.length; peer++) {
      if (peer === myRank) continue;
      const fatal = waitingOn === undefined || waitingOn === peer;
      if (p.unchecked.has(peer)) this.verify(p, peer, false, fatal);
      else if (fatal && Atomics.load(control, boards[peer] + SEQ) === p.seq) {
        const state = Atomics.load(control, boards[peer] + STATE);
        if (state === FAILED || state === REFUSED) throw this.lost(p, peer, state);
      }
    }
  }

  /** Ends the call: checks the peers it never synchronised with directly that are at it. */
  end(): void {
    const p = this.pending;
    if (p === undefined) return;
    // A disagreement fails the call; a peer that failed in it does not fail this rank's, which completed.
    for (const peer of p.unchecked) this.verify(p, peer, false, false);
    Atomics.store(this.g.control, this.g.boards[this.g.myRank] + DONE, p.seq);
    this.pending = undefined;
  }

  /** A call this rank refuses (its group is broken): counted and published as refused, so peers at it give up. */
  refuse(): void {
    const { control, boards, myRank } = this.g;
    const at = boards[myRank];
    Atomics.store(control, at + STATE, WRITING);
    Atomics.store(control, at + FIRST, 0);
    Atomics.store(control, at + STATE, REFUSED);
    Atomics.store(control, at + SEQ, ++this.seq);
  }

  /** Ends a failed call: marks the board so that peers waiting for this rank give up. */
  fail(): void {
    if (this.pending === undefined) return;
    Atomics.store(this.g.control, this.g.boards[this.g.myRank] + STATE, FAILED);
    this.pending = undefined;
    this.syncs = 0;
  }

  /** Forgets every call (after the world's recovery cleared the boards). */
  reset(): void {
    this.seq = 0;
    this.syncs = 0;
    this.pending = undefined;
  }

  /** `lostIsFatal` false: a peer that failed in the call stays unchecked instead of throwing (see check). */
  private verify(p: Pending, peer: number, strict: boolean, lostIsFatal = true): void {
    const { control, boards } = this.g;
    const at = boards[peer];
    const seq = Atomics.load(control, at + SEQ);
    if (seq > p.seq) {
      // It moved on: if it completed this call it verified this rank's board; else it failed in it.
      if (Atomics.load(control, at + DONE) >= p.seq) p.unchecked.delete(peer);
      else if (lostIsFatal) throw this.lost(p, peer, FAILED);
      return;
    }
    if (seq < p.seq) {
      if (strict) throw this.behind(p, peer, seq);
      return;
    }
    const state = Atomics.load(control, at + STATE);
    if (state === WRITING) {
      // It is writing its next call, so it is done with this one: completed (and then it verified
      // this rank) or failed.
      if (Atomics.load(control, at + DONE) >= p.seq) p.unchecked.delete(peer);
      else if (lostIsFatal) throw this.lost(p, peer, FAILED);
      return;
    }
    const words = p.sig.words;
    const length = Atomics.load(control, at + LENGTH);
    const n = Math.min(words.length, length);
    let diff = -1;
    let theirs = 0;
    for (let i = 0; i < n; i++) {
      const v = Atomics.load(control, at + FIRST + i);
      if (v !== words[i]) {
        diff = i;
        theirs = v;
        break;
      }
    }
    if (diff < 0 && length !== words.length) {
      diff = n; // one signature is a prefix of the other: they differ where the shorter one ends
      theirs = n < words.length ? NaN : Atomics.load(control, at + FIRST + n);
    }
    // It began another call while we read: what we read may be half of it; decide next time.
    if (Atomics.load(control, at + STATE) !== state || Atomics.load(control, at + SEQ) !== seq) return;
    // A difference says more than "it failed" (the peer may have failed on this very difference).
    if (diff >= 0 && state !== REFUSED) throw this.disagree(p, peer, diff, theirs);
    if (state === FAILED || state === REFUSED) {
      if (lostIsFatal) throw this.lost(p, peer, state);
      return;
    }
    p.unchecked.delete(peer);
  }

  private lost(p: Pending, peer: number, state: number): PeerLostError {
    const me = this.g.ranks[this.g.myRank];
    const why = state === FAILED ? "failed in the same call" : "refused the call (the group is broken on that rank)";
    return new PeerLostError(
      `rank ${me}: ${p.sig.op} (call #${p.seq} on group "${this.g.groupName}"): rank ${this.g.ranks[peer]} ` +
        `${why}, so this rank gives up instead of waiting for it`,
      me, this.g.ranks[peer],
    );
  }

  private disagree(p: Pending, peer: number, i: number, theirs: number): AgreementError {
    const me = this.g.ranks[this.g.myRank];
    const them = this.g.ranks[peer];
    const { sig } = p;
    const what = sig.name(i);
    const detail = i === 0
      ? `rank ${me} calls ${sig.render(0, sig.words[0])}, rank ${them} calls ${sig.render(0, theirs)}`
      : `rank ${me} has ${sig.render(i, sig.words[i])}, rank ${them} has ${sig.render(i, theirs)}`;
    return new AgreementError(
      `rank ${me}: ${sig.op} (call #${p.seq} on group "${this.g.groupName}"): ranks disagree on ${i === 0 ? "the op" : what}: ` +
        `${detail}. Every rank of a group must make the same collective calls, in the same order, with the same ` +
        `dtypes, shapes, roots, symmetric buffers and settings; nothing was sent`,
      me, them, this.g.groupName, i === 0 ? "op" : what,
    );
  }

  private behind(p: Pending, peer: number, seq: number): AgreementError {
    const me = this.g.ranks[this.g.myRank];
    const them = this.g.ranks[peer];
    return new AgreementError(
      `rank ${me}: ${p.sig.op}: rank ${them} has made ${seq} collective call(s) on group "${this.g.groupName}" ` +
        `while this rank is making its ${ordinal(p.seq)}: a collective was not called by every rank of the group, ` +
        `or failed on some of them; nothing was sent`,
      me, them, this.g.groupName, "call number",
    );
  }
}
