import type { IkeMessage, IkeSpi } from './messages.ts';
import type { ChildSaId, IkeReason, IkeSaId } from './types.ts';

/**
 * The endpoint's records of its IKE and CHILD SAs, and the pure rules over
 * them (which SA is up, which one a collision keeps). Internal to the IKE
 * core: nothing outside src/protocols/ike sees these shapes.
 */

export type SaState =
  | 'initSent'
  | 'authSent'
  | 'halfOpen'
  | 'established'
  | 'rekeying'
  | 'rekeyed'
  | 'deleting';

export interface ChildSa {
  readonly inSpi: number;
  readonly outSpi: number;
  /** Nonces of the exchange that created it, for §2.8.1 collision resolution. */
  readonly nonces: readonly [number, number];
  /** installed → rekeying (our rekey in flight) → rekeyed (superseded) → deleting (our DELETE in flight). */
  state: 'installed' | 'rekeying' | 'rekeyed' | 'deleting';
  rekeyAtMs: number;
  readonly expireAtMs: number;
  rekeyQueued: boolean;
  parent: IkeSa;
}

export type Queued =
  | { readonly kind: 'dpd' }
  | { readonly kind: 'rekeyChild'; readonly child: ChildSa }
  | { readonly kind: 'createChild' }
  | { readonly kind: 'rekeyIke' }
  | { readonly kind: 'deleteChild'; readonly inSpi: number; readonly reason: IkeReason }
  | { readonly kind: 'deleteIke' };

export type InFlight =
  | { readonly kind: 'init'; readonly nonce: number }
  | { readonly kind: 'auth'; readonly inSpi: number }
  | { readonly kind: 'dpd' }
  | {
      readonly kind: 'rekeyChild';
      readonly target: ChildSa;
      readonly nonce: number;
      readonly inSpi: number;
      collision?: ChildSa;
    }
  | { readonly kind: 'createChild'; readonly nonce: number; readonly inSpi: number }
  | { readonly kind: 'rekeyIke'; readonly nonce: number; readonly spi: IkeSpi; collision?: IkeSa }
  | { readonly kind: 'deleteChild'; readonly inSpi: number; readonly reason: IkeReason }
  | { readonly kind: 'deleteIke' };

/** Our one outstanding request: IKEv2's default window of one (RFC 7296 §2.3). */
export interface Pending {
  readonly message: IkeMessage;
  readonly inFlight: InFlight;
  retransmitted: number;
  nextAtMs: number;
  /** Liveness deadline (Azure DPD timeout) on established SAs; otherwise `tries` decides. */
  readonly deadlineMs: number | undefined;
}

export interface IkeSa {
  readonly initiatorSpi: IkeSpi;
  responderSpi: IkeSpi;
  /** We sent the exchange that created this SA (IKE_SA_INIT or the rekey): §3.1 I flag. */
  readonly originalInitiator: boolean;
  state: SaState;
  /** Ni, Nr of the creating exchange (§2.10); Nr is 0 until the IKE_SA_INIT response. */
  nonces: [number, number];
  readonly createdAtMs: number;
  nextRequestId: number;
  expectedRequestId: number;
  lastResponse: IkeMessage | undefined;
  pending: Pending | undefined;
  queue: Queued[];
  lastInboundMs: number;
  dpdCheckAtMs: number | undefined;
  rekeyAtMs: number | undefined;
  expireAtMs: number | undefined;
  rekeyQueued: boolean;
  createChildAtMs: number | undefined;
  halfOpenUntilMs: number | undefined;
  /** We decided to delete it (duplicate, replaced); it takes no new work. */
  condemned: boolean;
  closeReason: IkeReason | undefined;
  children: ChildSa[];
}

export function localOf(sa: IkeSa): IkeSpi {
  return sa.originalInitiator ? sa.initiatorSpi : sa.responderSpi;
}

export function remoteOf(sa: IkeSa): IkeSpi {
  return sa.originalInitiator ? sa.responderSpi : sa.initiatorSpi;
}

export function idOf(sa: IkeSa): IkeSaId {
  return { initiatorSpi: sa.initiatorSpi, responderSpi: sa.responderSpi };
}

export function childIdOf(child: ChildSa): ChildSaId {
  return { inboundSpi: child.inSpi, outboundSpi: child.outSpi };
}

/** Completed IKE_AUTH and not being deleted by us. */
export function isUp(sa: IkeSa): boolean {
  return sa.state === 'established' || sa.state === 'rekeying' || sa.state === 'rekeyed';
}

export function rekeyable(sa: IkeSa): boolean {
  return sa.state === 'established' && !sa.condemned;
}

export function dpdActive(sa: IkeSa): boolean {
  return sa.state === 'established' || sa.state === 'rekeying';
}

export function pendingDueMs(p: Pending): number {
  return p.deadlineMs !== undefined ? Math.min(p.nextAtMs, p.deadlineMs) : p.nextAtMs;
}

/**
 * Does the exchange with nonces `a` hold the lowest nonce of the four (§2.8.1)?
 * Ties, astronomically rare, fall back to comparing the lowest nonces' partners
 * and then the SPIs — values both ends see identically.
 */
export function loses(
  a: readonly [number, number],
  b: readonly [number, number],
  tieA: readonly number[],
  tieB: readonly number[],
): boolean {
  const ka = [Math.min(...a), Math.max(...a), ...tieA];
  const kb = [Math.min(...b), Math.max(...b), ...tieB];
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] as number;
    const y = kb[i] as number;
    if (x !== y) return x < y;
  }
  return false;
}

export function ikeTieBreak(sa: IkeSa): number[] {
  return [sa.initiatorSpi, sa.responderSpi];
}

export function childTieBreak(child: ChildSa): number[] {
  return [Math.min(child.inSpi, child.outSpi), Math.max(child.inSpi, child.outSpi)];
}
