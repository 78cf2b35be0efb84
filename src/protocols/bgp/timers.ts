/**
 * BGP session timer values and the arithmetic around them (RFC 4271 §4.2, §4.4,
 * §8.2.2, §10). Kept apart from the FSM so the gateway and site models quote the
 * same numbers the session uses.
 */

import { AZURE } from '../../model/azure-defaults.ts';

/**
 * Azure's VPN gateway proposes hold 180 s and sends keepalives every 60 s, and
 * does not change either; the numbers and their source live in model/azure-defaults.
 * RFC 4271 §10 only suggests 90 s.
 */
export const AZURE_HOLD_TIME_SEC = AZURE.bgp.holdSeconds;
export const AZURE_KEEPALIVE_SEC = AZURE.bgp.keepaliveSeconds;

/** RFC 4271 §10: suggested ConnectRetryTime. */
export const DEFAULT_CONNECT_RETRY_SEC = 120;

/** RFC 4271 §8.2.2 (Connect/Active, Event 16/17): "A HoldTimer value of 4 minutes is suggested" in OpenSent. */
export const OPEN_SENT_HOLD_TIME_SEC = 240;

/**
 * RFC 4271 §8.1.1 leaves the back-off before an automatic restart (IdleHoldTime)
 * to the implementation. One second keeps re-establishment quick after a tunnel
 * flap, like FRR's short start timer; scenarios that study damping set their own.
 */
export const DEFAULT_IDLE_HOLD_SEC = 1;

/** RFC 4271 §4.2: "An implementation MUST reject Hold Time values of one or two seconds." */
export function isAcceptableHoldTime(holdTimeSec: number): boolean {
  return (
    Number.isInteger(holdTimeSec) &&
    holdTimeSec >= 0 &&
    holdTimeSec <= 0xffff &&
    holdTimeSec !== 1 &&
    holdTimeSec !== 2
  );
}

/** RFC 4271 §4.2: the session uses the smaller of the two proposed hold times. */
export function negotiateHoldTime(localSec: number, peerSec: number): number {
  return Math.min(localSec, peerSec);
}

/**
 * RFC 4271 §4.4 / §10: KeepaliveTime is one third of the negotiated hold time
 * (whole seconds, as FRR and GoBGP compute it); a negotiated hold time of zero
 * means no keepalives at all. `fixedSec` models a speaker that keeps its own
 * interval whatever was negotiated — Azure does (AZURE-FACTS.md), which is why a
 * device configured with a hold time below 180 s flaps against it.
 */
export function keepaliveIntervalSec(negotiatedHoldSec: number, fixedSec?: number): number {
  if (negotiatedHoldSec === 0) return 0;
  if (fixedSec !== undefined) return fixedSec;
  return Math.max(1, Math.floor(negotiatedHoldSec / 3));
}
