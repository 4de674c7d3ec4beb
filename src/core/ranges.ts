import { describeValue } from "./args.ts";
import { SymmetricMemoryError } from "./errors.ts";

/** The one range check for peers: every API that takes a group rank says the same thing. */
export function checkPeerInRange(what: string, peer: unknown, groupName: string, size: number): number {
  if (typeof peer !== "number" || !Number.isInteger(peer) || peer < 0 || peer >= size) {
    const found = typeof peer === "number" ? String(peer) : `(${describeValue(peer)})`;
    throw new SymmetricMemoryError(
      `${what}: peer ${found} out of range: group "${groupName}" has ${size} ranks, expected an integer in [0, ${size - 1}]`,
    );
  }
  return peer;
}
