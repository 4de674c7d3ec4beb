/** The one range check for peers: every API that takes a group rank says the same thing. */
export function checkPeerInRange(what: string, peer: number, groupName: string, size: number): void {
  if (!Number.isInteger(peer) || peer < 0 || peer >= size) {
    throw new RangeError(
      `${what}: peer ${peer} out of range: group "${groupName}" has ${size} ranks, expected an integer in [0, ${size - 1}]`,
    );
  }
}
