/**
 * Azure's DPD timeout as strongSwan-style IKEv2 DPD: probe after a third of the
 * timeout without IKE or ESP from the peer, retransmit about every 2 s (no backoff)
 * for the rest of it, give up at the timeout — so a device configured this way and
 * Azure declare each other dead at the same moment. One formula for the exported
 * device configs (export/), the live lab and the simulator's endpoints. (strongSwan's
 * dpd_timeout is IKEv1-only; with IKEv2 the retransmission settings decide.)
 */
export interface RetransmitSettings {
  readonly timeoutSeconds: number;
  readonly base: number;
  readonly tries: number;
  /** Seconds from the first DPD request to giving up: (tries + 1) × timeout. */
  readonly windowSeconds: number;
}

export interface DpdPlan {
  readonly retransmit: RetransmitSettings;
  /** dpd_delay per Azure dpdTimeoutSeconds value. */
  readonly delaySeconds: ReadonlyMap<number, number>;
}

/** One DPD plan for a charon whose tunnels have these Azure DPD timeouts. */
export function dpdPlan(timeouts: readonly number[]): DpdPlan {
  const shortest = Math.min(...timeouts);
  const firstDelay = Math.max(1, Math.round(shortest / 3));
  const window = shortest - firstDelay;
  const transmissions = Math.min(15, Math.max(1, Math.round(window / 2)));
  const timeoutSeconds = Math.round((window / transmissions) * 1000) / 1000;
  const delaySeconds = new Map<number, number>();
  for (const timeout of timeouts) delaySeconds.set(timeout, Math.max(1, timeout - window));
  return {
    retransmit: { timeoutSeconds, base: 1, tries: transmissions - 1, windowSeconds: window },
    delaySeconds,
  };
}
