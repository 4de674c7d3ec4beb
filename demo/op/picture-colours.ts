/**
 * The op runner's pictures' colours: one hue per rank (golden-angle steps, so neighbours differ
 * on any world size), a rank's experts as shades of its hue.
 */

/** Rank `rank`'s colour; `expert` of `experts` picks a shade (darker first), -1 the plain one. */
export function rankColour(rank: number, expert = -1, experts = 1): string {
  const hue = Math.round((rank * 137.508 + 210) % 360);
  const light = expert < 0 || experts <= 1 ? 52 : 36 + Math.round((34 * expert) / (experts - 1));
  return `hsl(${hue}, 62%, ${light}%)`;
}
