/**
 * Azure's timers translated into the remote device's: DPD, SA lifetimes and BGP
 * timers. Platform-free.
 *
 * DPD. Azure declares a silent peer dead `dpdTimeoutSeconds` (T) after its last
 * packet. strongSwan's `dpd_timeout` applies to IKEv1 only; with IKEv2 a DPD is an
 * empty INFORMATIONAL request sent after `dpd_delay` without inbound traffic, and the
 * peer is dead once that request has been retransmitted `retransmit_tries` times
 * unanswered (charon's retransmission settings, global to the daemon). So: probe after
 * T/3 of silence, then retransmit about every 2 s with no backoff (base 1, no jitter)
 * for the remaining 2T/3, and the device gives up at T, as Azure does — both ends tear
 * the tunnel down together and fail over together. This is the live lab's mapping
 * (src/live/strongswan.ts ikeTimingFor). With several link connections of different T
 * on one device the retransmission window is the shortest one's, and each tunnel's
 * dpd_delay is its T minus that window, so each still gives up at its own T.
 *
 * Lifetimes. Rekey before the peer's lifetime runs out: CHILD_SA rekey at 90 % of
 * Azure's saLifeTimeSeconds / saDataSizeKilobytes (strongSwan subtracts a random
 * rand_time, by default life − rekey, so rekeys spread over 80–90 %), hard life at
 * Azure's value; IKE_SA rekey at 90 % of Azure's 28,800 s with over_time making the hard
 * limit exactly Azure's. No reauthentication (IKEv2 rekeying keeps the CHILD_SAs).
 *
 * BGP timers. The device's own, but Azure keeps 60 s keepalives and 180 s hold and does
 * not negotiate them down (VPN Gateway FAQ), so a hold time below 180 s is raised to
 * 180 s (a lower one drops the session after fewer lost keepalives, or flaps outright
 * below 60 s), and the keepalive is kept at no more than a third of the hold time.
 */
import { AZURE } from '../model/index.ts';

export { type DpdPlan, dpdPlan, type RetransmitSettings } from '../protocols/ike/dpd-plan.ts';

export interface LifetimePlan {
  readonly ikeRekeySeconds: number;
  readonly ikeOverSeconds: number;
  readonly childRekeySeconds: number;
  readonly childLifeSeconds: number;
  readonly childRekeyBytes: number;
  readonly childLifeBytes: number;
}

const REKEY_SHARE = 0.9;

export function lifetimes(ipsec: {
  readonly saLifeTimeSeconds: number;
  readonly saDataSizeKilobytes: number;
  readonly ikeSaLifeTimeSeconds: number;
}): LifetimePlan {
  const ikeRekeySeconds = Math.floor(ipsec.ikeSaLifeTimeSeconds * REKEY_SHARE);
  const childLifeBytes = ipsec.saDataSizeKilobytes * 1024;
  return {
    ikeRekeySeconds,
    ikeOverSeconds: ipsec.ikeSaLifeTimeSeconds - ikeRekeySeconds,
    childRekeySeconds: Math.floor(ipsec.saLifeTimeSeconds * REKEY_SHARE),
    childLifeSeconds: ipsec.saLifeTimeSeconds,
    childRekeyBytes: Math.floor(childLifeBytes * REKEY_SHARE),
    childLifeBytes,
  };
}

export interface BgpTimerPlan {
  readonly keepaliveSeconds: number;
  readonly holdSeconds: number;
  /** Why the written timers differ from the device's, if they do. */
  readonly notes: readonly string[];
}

export function bgpTimers(configured: {
  readonly keepaliveSeconds: number;
  readonly holdSeconds: number;
}): BgpTimerPlan {
  const notes: string[] = [];
  const azureHold = AZURE.bgp.holdSeconds;
  const azureKeepalive = AZURE.bgp.keepaliveSeconds;
  let hold = configured.holdSeconds;
  let keepalive = configured.keepaliveSeconds;
  if (hold < azureHold) {
    notes.push(
      `the device is configured with hold ${hold} s; written as ${azureHold} s: Azure sends keepalives every ${azureKeepalive} s and does not negotiate its timers down, so a lower hold time drops the session after fewer lost keepalives${hold < azureKeepalive ? ' (below 60 s it flaps)' : ''}`,
    );
    hold = azureHold;
  }
  if (keepalive < 1 || keepalive > Math.floor(hold / 3)) {
    const written = Math.min(azureKeepalive, Math.floor(hold / 3));
    notes.push(
      `the device is configured with keepalive ${keepalive} s; written as ${written} s (at most a third of the hold time, RFC 4271 §10)`,
    );
    keepalive = written;
  }
  return { keepaliveSeconds: keepalive, holdSeconds: hold, notes };
}
