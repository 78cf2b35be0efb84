/**
 * Exact packet arithmetic for constant-rate flows. A flow sends packet k at
 * `phaseMs + k * 1000 / ratePps`. Instead of simulating packets we count how many
 * send times fall in an interval, so a million flows cost nothing between events
 * and every count is exact (sent = delivered + lost by construction).
 */

/** The index of the first packet sent at or after `atMs` (0 before the flow starts). */
export function firstPacketAtOrAfter(atMs: number, phaseMs: number, ratePps: number): number {
  if (atMs <= phaseMs) return 0;
  // ceil((atMs - phaseMs) * ratePps / 1000) in integers: all three inputs are integers.
  const scaled = (atMs - phaseMs) * ratePps;
  return Math.floor((scaled + 999) / 1000);
}

/** Packets sent in [fromMs, toMs). */
export function packetsBetween(fromMs: number, toMs: number, phaseMs: number, ratePps: number): number {
  if (toMs <= fromMs) return 0;
  return firstPacketAtOrAfter(toMs, phaseMs, ratePps) - firstPacketAtOrAfter(fromMs, phaseMs, ratePps);
}
