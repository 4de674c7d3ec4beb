/**
 * Agreement between ranks (src/heap/agreement.ts) on boards in one control buffer, without
 * workers: which peer failures abort a wait, and which are left for the wait that needs that peer.
 * The race it pins down: rank 0 passed a barrier and failed its kernel's argument check while
 * rank 2 was still waiting for rank 1's signal in that barrier; rank 2 must finish the barrier and
 * fail with its own (identical) OpError, not give up with a PeerLostError blaming rank 0.
 */
import { describe, expect, it } from "vitest";
import { Agreement, type Signature } from "../src/heap/agreement.ts";
import { BOARD_WORDS } from "../src/heap/control.ts";
import { AgreementError, PeerLostError } from "../src/core/errors.ts";

function sig(words: number[]): Signature {
  return { op: "test::op", words, name: (i) => `word ${i}`, render: (_i, v) => String(v) };
}

function world(n: number): Agreement[] {
  const control = new Int32Array(n * BOARD_WORDS);
  const boards = Array.from({ length: n }, (_, r) => r * BOARD_WORDS);
  const ranks = Array.from({ length: n }, (_, r) => r);
  return ranks.map((myRank) => new Agreement({ control, boards, myRank, ranks, groupName: "world" }));
}

describe("agreement: a peer that failed in the call", () => {
  it("aborts only the wait that needs it; consuming its signal and ending the call do not throw", () => {
    const [a0, a1, a2] = world(3);
    for (const a of [a0, a1, a2]) a.begin(sig([7, 1, 2]));
    a2.consumed(0); // rank 0's barrier signal arrived: rank 0 is at this call, same signature
    a0.fail(); // then rank 0 failed (its kernel's check, after the barrier)
    expect(() => a2.check(1)).not.toThrow(); // waiting for rank 1's signal: rank 0 is not its business
    expect(() => a2.check(0)).toThrow(PeerLostError); // a wait that needs rank 0 gives up at once
    expect(() => a2.check()).toThrow(/rank 2: test::op \(call #1 on group "world"\): rank 0 failed in the same call/);
    a2.consumed(1);
    expect(() => a2.end()).not.toThrow();
  });

  it("a failed peer not verified yet: its signal consumed later does not throw", () => {
    const [a0, a1, a2] = world(3);
    for (const a of [a0, a1, a2]) a.begin(sig([7]));
    a1.fail(); // rank 1 put its signals, passed the barrier and failed before rank 2 consumed its signal
    expect(() => a2.check(0)).not.toThrow();
    expect(() => a2.consumed(1)).not.toThrow();
    expect(() => a2.check(1)).toThrow(/rank 1 failed in the same call/);
    a2.consumed(0);
    expect(() => a2.end()).not.toThrow();
  });

  it("a disagreement still aborts any wait, whichever peer it waits for", () => {
    const [a0, a1, a2] = world(3);
    a0.begin(sig([7, 9]));
    a1.begin(sig([7, 1]));
    a2.begin(sig([7, 1]));
    expect(() => a2.check(1)).toThrow(AgreementError);
    expect(() => a1.consumed(0)).toThrow(AgreementError);
  });
});
