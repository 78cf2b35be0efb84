import { AZURE } from '../../model/azure-defaults.ts';
import type { Rng } from '../../sim/rng.ts';

/**
 * Configuration of one IKEv2 tunnel endpoint, its defaults with their sources,
 * and the timing formulas that tests and the gateway model use to predict
 * outages. Every duration is in integer milliseconds, so the simulator's
 * integer clock reproduces the formulas to the millisecond.
 */

/**
 * Azure's vpnLinkConnectionMode (ARM vpnLinkConnections): Default both initiates
 * and responds ("Azure IPsec process can be both initiator and responder, but
 * never responder only" — the seed's design note, which is about Default);
 * InitiatorOnly never answers an IKE_SA_INIT; ResponderOnly never sends one.
 */
export type ConnectionMode = 'Default' | 'InitiatorOnly' | 'ResponderOnly';

/**
 * What to do when the peer is declared dead (strongSwan swanctl.conf
 * `children.<child>.dpd_action`): restart re-negotiates at once under a fresh
 * IKE SA (if this endpoint may initiate), clear stays down, trap waits for
 * outbound traffic (`outboundTraffic` input) before re-negotiating.
 */
export type DpdAction = 'restart' | 'clear' | 'trap';

export interface RetransmitConfig {
  /** strongSwan charon.retransmit_timeout (default 4.0 s). */
  readonly timeoutMs: number;
  /** strongSwan charon.retransmit_base (default 1.8). */
  readonly base: number;
  /** strongSwan charon.retransmit_tries (default 5). */
  readonly tries: number;
  /** strongSwan charon.retransmit_limit: cap on one timeout (default none). */
  readonly limitMs?: number | undefined;
  /** strongSwan charon.retransmit_jitter: percent subtracted at random (default 0). */
  readonly jitterPercent?: number | undefined;
}

export interface IkeEndpointConfig {
  /** This endpoint's IKE identity (IDi/IDr), e.g. "IN_0" or "site1/dev0". */
  readonly name: string;
  readonly mode: ConnectionMode;
  /** Source of SPIs, nonces and rekey jitter; never Math.random (same seed, same run). */
  readonly rng: Rng;
  readonly retransmit: RetransmitConfig;
  /**
   * Retransmission sequences per connection attempt (strongSwan swanctl.conf
   * `keyingtries`; 0 = until established). Default 0: both Azure and a
   * well-configured device keep trying to bring a site-to-site tunnel up.
   */
  readonly keyingTries: number;
  /**
   * Pause after one sequence gives up (~165 s with the defaults) before the next
   * IKE_SA_INIT. strongSwan starts the next keying try at once, so the default
   * is 0; devices with a "restart delay" and the gateway model may set more.
   */
  readonly retryDelayMs: number;
  /**
   * strongSwan `dpd_delay`: a liveness check is sent once nothing has been
   * received on the IKE SA for this long (0 disables DPD). Azure does not
   * publish its interval; the default is ipsec.conf's `dpddelay` default, 30 s.
   */
  readonly dpdDelayMs: number;
  /**
   * Azure `dpdTimeoutSeconds` (default 45 s, range 9–3,600 s; VPN Gateway FAQ):
   * a request on an established IKE SA still unanswered this long after it was
   * first sent declares the peer dead. `null` is strongSwan's IKEv2 behaviour:
   * dead when the retransmission sequence gives up (dpd_timeout is IKEv1-only).
   */
  readonly dpdTimeoutMs: number | null;
  readonly dpdAction: DpdAction;
  /**
   * Delay before re-establishing after the peer deleted our last IKE SA
   * (planned maintenance). strongSwan's close_action=start re-creates at once,
   * so the default is 0. Timing: the peer sends DELETE at t_stop; we are down
   * at t_stop + latency and send IKE_SA_INIT at t_stop + latency + this delay
   * (only if we may initiate), up 4 one-way latencies later if answered.
   */
  readonly reestablishDelayMs: number;
  /** CHILD SA hard lifetime: VWAN `SALifeTimeInSeconds` default 3,600 s (VWAN IPsec default policies). */
  readonly childSaLifetimeMs: number;
  /** IKE SA hard lifetime: VWAN default IKE SA lifetime 28,800 s. */
  readonly ikeSaLifetimeMs: number;
  /**
   * Rekeying starts this long before the hard lifetime, plus a random extra of
   * up to `rekeyFuzzPercent` of it — ipsec.conf `margintime` (default 9 min) and
   * `rekeyfuzz` (default 100 %). The randomness keeps both ends from rekeying
   * at the same moment (the role of swanctl's `rand_time`).
   */
  readonly rekeyMarginMs: number;
  readonly rekeyFuzzPercent: number;
  /** A responder drops an IKE SA whose IKE_AUTH never came (strongSwan HALF_OPEN_IKE_SA_TIMEOUT, 30 s). */
  readonly halfOpenTimeoutMs: number;
  /**
   * After TEMPORARY_FAILURE a rekey is retried after RETRY_INTERVAL − random(RETRY_JITTER)
   * (strongSwan src/libcharon/sa/ike_sa.h: 15 s and 10 s), as RFC 7296 §2.25 asks
   * ("MUST NOT immediately retry").
   */
  readonly rekeyRetryIntervalMs: number;
  readonly rekeyRetryJitterMs: number;
  /** Answer requests for unknown IKE SAs with INVALID_IKE_SPI (RFC 7296 §2.21.4 "MAY"). */
  readonly answerUnknownSpi: boolean;
}

/** Everything except name, mode and rng may be left out and takes the default. */
export type IkeEndpointOptions = Partial<Omit<IkeEndpointConfig, 'name' | 'mode' | 'rng' | 'retransmit'>> &
  Pick<IkeEndpointConfig, 'name' | 'mode' | 'rng'> & { readonly retransmit?: Partial<RetransmitConfig> };

/** strongSwan's documented defaults (docs.strongswan.org, "Retransmission"). */
export const STRONGSWAN_RETRANSMIT: RetransmitConfig = { timeoutMs: 4000, base: 1.8, tries: 5 };

/** Azure dpdTimeoutSeconds default and range; the figures and sources live in model/azure-defaults. */
export const AZURE_DPD_TIMEOUT_DEFAULT_MS = AZURE.ipsec.dpdTimeoutSeconds.default * 1000;
export const AZURE_DPD_TIMEOUT_MIN_MS = AZURE.ipsec.dpdTimeoutSeconds.min * 1000;
export const AZURE_DPD_TIMEOUT_MAX_MS = AZURE.ipsec.dpdTimeoutSeconds.max * 1000;

/** VWAN IPsec default policies: SA lifetime 3,600 s; IKE SA lifetime 28,800 s (model/azure-defaults). */
export const VWAN_CHILD_SA_LIFETIME_MS = AZURE.ipsec.saLifeTimeSeconds * 1000;
export const VWAN_IKE_SA_LIFETIME_MS = AZURE.ipsec.ikeSaLifeTimeSeconds * 1000;

export function ikeEndpointConfig(options: IkeEndpointOptions): IkeEndpointConfig {
  const r = options.retransmit ?? {};
  // Field by field, so an option given as undefined still takes its default.
  const config: IkeEndpointConfig = {
    name: options.name,
    mode: options.mode,
    rng: options.rng,
    retransmit: {
      timeoutMs: r.timeoutMs ?? STRONGSWAN_RETRANSMIT.timeoutMs,
      base: r.base ?? STRONGSWAN_RETRANSMIT.base,
      tries: r.tries ?? STRONGSWAN_RETRANSMIT.tries,
      limitMs: r.limitMs,
      jitterPercent: r.jitterPercent,
    },
    keyingTries: options.keyingTries ?? 0,
    retryDelayMs: options.retryDelayMs ?? 0,
    dpdDelayMs: options.dpdDelayMs ?? 30_000,
    dpdTimeoutMs: options.dpdTimeoutMs === undefined ? AZURE_DPD_TIMEOUT_DEFAULT_MS : options.dpdTimeoutMs,
    dpdAction: options.dpdAction ?? 'restart',
    reestablishDelayMs: options.reestablishDelayMs ?? 0,
    childSaLifetimeMs: options.childSaLifetimeMs ?? VWAN_CHILD_SA_LIFETIME_MS,
    ikeSaLifetimeMs: options.ikeSaLifetimeMs ?? VWAN_IKE_SA_LIFETIME_MS,
    rekeyMarginMs: options.rekeyMarginMs ?? 540_000,
    rekeyFuzzPercent: options.rekeyFuzzPercent ?? 100,
    halfOpenTimeoutMs: options.halfOpenTimeoutMs ?? 30_000,
    rekeyRetryIntervalMs: options.rekeyRetryIntervalMs ?? 15_000,
    rekeyRetryJitterMs: options.rekeyRetryJitterMs ?? 10_000,
    answerUnknownSpi: options.answerUnknownSpi ?? true,
  };
  const problems = validate(config);
  if (problems.length > 0)
    throw new Error(`invalid IKE endpoint config "${config.name}": ${problems.join('; ')}`);
  return config;
}

function validate(c: IkeEndpointConfig): string[] {
  const problems: string[] = [];
  const nonNegativeInt = (value: number, what: string): void => {
    if (!Number.isInteger(value) || value < 0)
      problems.push(`${what} must be a non-negative integer (got ${value})`);
  };
  nonNegativeInt(c.keyingTries, 'keyingTries');
  nonNegativeInt(c.retryDelayMs, 'retryDelayMs');
  nonNegativeInt(c.dpdDelayMs, 'dpdDelayMs');
  nonNegativeInt(c.reestablishDelayMs, 'reestablishDelayMs');
  nonNegativeInt(c.rekeyMarginMs, 'rekeyMarginMs');
  nonNegativeInt(c.rekeyFuzzPercent, 'rekeyFuzzPercent');
  nonNegativeInt(c.halfOpenTimeoutMs, 'halfOpenTimeoutMs');
  nonNegativeInt(c.rekeyRetryIntervalMs, 'rekeyRetryIntervalMs');
  nonNegativeInt(c.rekeyRetryJitterMs, 'rekeyRetryJitterMs');
  nonNegativeInt(c.retransmit.tries, 'retransmit.tries');
  if (c.dpdTimeoutMs !== null && (!Number.isInteger(c.dpdTimeoutMs) || c.dpdTimeoutMs <= 0)) {
    problems.push(`dpdTimeoutMs must be a positive integer or null (got ${c.dpdTimeoutMs})`);
  }
  if (!(c.retransmit.timeoutMs > 0)) problems.push('retransmit.timeoutMs must be positive');
  if (!(c.retransmit.base >= 1)) problems.push('retransmit.base must be at least 1');
  if (c.rekeyRetryJitterMs > c.rekeyRetryIntervalMs)
    problems.push('rekeyRetryJitterMs exceeds rekeyRetryIntervalMs');
  for (const [what, lifetime] of [
    ['childSaLifetimeMs', c.childSaLifetimeMs],
    ['ikeSaLifetimeMs', c.ikeSaLifetimeMs],
  ] as const) {
    if (!Number.isInteger(lifetime) || lifetime <= 0) problems.push(`${what} must be a positive integer`);
    // ipsec.conf: "The value of marginTYPE, after this random increase, must not exceed lifeTYPE."
    else if (maxRekeyMarginMs(c) >= lifetime)
      problems.push(`rekey margin with fuzz must be shorter than ${what}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Timing formulas. The endpoint uses exactly these, so predictions are exact.
// ---------------------------------------------------------------------------

/**
 * Relative timeout before retransmission n+1 (n = 0 is the wait after the first
 * transmission), as strongSwan computes it (src/libcharon/sa/task_manager.c,
 * retransmission_timeout): (uint32) (timeout × base^n), capped by the limit.
 * Jitter is applied by the endpoint from its RNG, never here.
 */
export function retransmitTimeoutMs(r: RetransmitConfig, n: number): number {
  const raw = r.timeoutMs * r.base ** n;
  return Math.floor(r.limitMs !== undefined ? Math.min(raw, r.limitMs) : raw);
}

/**
 * The unanswered-request schedule with jitter off: request sent at 0,
 * retransmissions at the running sums of timeouts n = 0 … tries−1, give-up at
 * the sum of n = 0 … tries. Defaults: retransmits at 4,000, 11,200, 24,160,
 * 47,488, 89,478 ms; gives up at 165,060 ms (docs.strongswan.org: 4, 11, 24,
 * 47, 89, 165 s).
 */
export function retransmitSchedule(r: RetransmitConfig): { retransmitsAtMs: number[]; giveUpAtMs: number } {
  const retransmitsAtMs: number[] = [];
  let at = 0;
  for (let n = 0; n < r.tries; n++) {
    at += retransmitTimeoutMs(r, n);
    retransmitsAtMs.push(at);
  }
  return { retransmitsAtMs, giveUpAtMs: at + retransmitTimeoutMs(r, r.tries) };
}

/**
 * How long a request on an established IKE SA may stay unanswered before the
 * peer is declared dead: Azure's DPD timeout when set, else strongSwan's
 * retransmission give-up. With a DPD timeout, retransmissions continue on the
 * same schedule (beyond `tries`) until it expires.
 */
export function livenessTimeoutMs(c: Pick<IkeEndpointConfig, 'dpdTimeoutMs' | 'retransmit'>): number {
  return c.dpdTimeoutMs ?? retransmitSchedule(c.retransmit).giveUpAtMs;
}

/**
 * DPD detection, the formula the gateway model predicts outages with.
 *
 * strongSwan's DPD job (ike_sa.c send_dpd) re-checks at "last inbound + delay";
 * if nothing has arrived for `dpdDelay` and no exchange is in flight it sends an
 * empty INFORMATIONAL (RFC 7296 §2.4). So for a peer that falls silent, with
 * t_last = the last time anything arrived on the IKE SA (IKE message, or ESP
 * reported through `inboundTraffic`):
 *
 *   probe sent   T_probe = t_last + dpdDelay
 *   declared dead        = T_probe + livenessTimeout
 *                        = t_last + dpdDelay + (dpdTimeout ?? 165,060 ms)
 *
 * If a request was already in flight when the peer fell silent, that request is
 * the probe: dead at its first transmission + livenessTimeout.
 */
export function dpdDeclaredDeadAtMs(lastInboundMs: number, c: IkeEndpointConfig): number {
  return lastInboundMs + c.dpdDelayMs + livenessTimeoutMs(c);
}

/** Largest margin after fuzz: margin × (1 + fuzz/100). */
export function maxRekeyMarginMs(c: Pick<IkeEndpointConfig, 'rekeyMarginMs' | 'rekeyFuzzPercent'>): number {
  return c.rekeyMarginMs + Math.floor((c.rekeyMarginMs * c.rekeyFuzzPercent) / 100);
}

/**
 * When, after installation, an SA with `lifetimeMs` is rekeyed: the endpoint
 * draws uniformly from [lifetime − maxMargin, lifetime − margin]. Defaults:
 * CHILD SA 2,520–3,060 s, IKE SA 27,720–28,260 s.
 */
export function rekeyWindowMs(
  lifetimeMs: number,
  c: Pick<IkeEndpointConfig, 'rekeyMarginMs' | 'rekeyFuzzPercent'>,
): { earliestMs: number; latestMs: number } {
  return { earliestMs: lifetimeMs - maxRekeyMarginMs(c), latestMs: lifetimeMs - c.rekeyMarginMs };
}

/**
 * Establishment takes two round trips (RFC 7296 §1.2): IKE_SA_INIT, then
 * IKE_AUTH, which also creates the first CHILD SA. The responder is up after
 * 3 one-way trips (it answers the IKE_AUTH request), the initiator after 4.
 */
export function establishmentMs(oneWayLatencyMs: number): { initiatorMs: number; responderMs: number } {
  return { initiatorMs: 4 * oneWayLatencyMs, responderMs: 3 * oneWayLatencyMs };
}
