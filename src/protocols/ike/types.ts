import type { TimerAction, TimerFired } from '../core.ts';
import type { IkeMessage, IkeSpi } from './messages.ts';

/**
 * The IKE endpoint core's inputs and outputs (DESIGN.md, "Protocol cores are
 * sans-IO"). Silent death is not an input: the runtime simply stops delivering
 * and carrying out (the host is dead); when the host comes back it sends
 * `reset`.
 */

/**
 * The core's named timers. Each is armed for the earliest deadline of its kind
 * across all SAs, so the runtime never holds more than five per endpoint.
 */
export type IkeTimer =
  /** Next retransmission, or give-up, of an unanswered request (RFC 7296 §2.1). */
  | 'retransmit'
  /** Next DPD check (strongSwan send_dpd). */
  | 'dpd'
  /** Next rekey or hard expiry of an IKE or CHILD SA (RFC 7296 §2.8). */
  | 'lifetime'
  /** Next connection attempt (keying retry, re-establish after DELETE). */
  | 'initiate'
  /** Expiry of a responder-side IKE SA whose IKE_AUTH never came. */
  | 'halfOpen';

export type IkeInput =
  /** Administratively up: load the connection; initiate unless ResponderOnly. */
  | { readonly kind: 'start' }
  /** Planned shutdown: DELETE every IKE SA and go down at once. */
  | { readonly kind: 'stop' }
  /** The host restarted and lost all state; start afresh (if it was started). */
  | { readonly kind: 'reset' }
  | { readonly kind: 'message'; readonly message: IkeMessage }
  /**
   * A timer expired. With `inbound`, the runtime also reports the ESP it saw,
   * read as the timer fired — as strongSwan's DPD job reads the kernel SA's
   * last-use time when it runs. Exactly an `inboundTraffic` input just before
   * the timer, in one step (a DPD check fires every few seconds on every end).
   */
  | (TimerFired<IkeTimer> & { readonly inbound?: InboundTraffic })
  /**
   * ESP arrived on the CHILD SA with this inbound SPI. Optional: strongSwan
   * counts ESP as liveness (dpd_delay "only if no IKE or ESP/AH packet has been
   * received"); a runtime that does not report traffic gets probes every
   * dpdDelay, which is what an idle tunnel sees anyway.
   */
  | ({ readonly kind: 'inboundTraffic' } & InboundTraffic)
  /** Traffic waiting for the tunnel: re-negotiates after dpd_action=trap. */
  | { readonly kind: 'outboundTraffic' };

/** ESP that arrived on the CHILD SA with this inbound SPI. */
export interface InboundTraffic {
  readonly inboundSpi: number;
  /**
   * When that traffic last arrived (default: now). strongSwan reads the kernel
   * SA's last-use time when its DPD job runs, so a runtime can report it then.
   */
  readonly atMs?: number;
}

/**
 * stopped: not started. idle: started, no IKE SA, not initiating (ResponderOnly,
 * dpd_action clear/trap, keying tries exhausted). connecting: our IKE_SA_INIT /
 * IKE_AUTH in flight. retrying: waiting to initiate again. established: at
 * least one IKE SA is up.
 */
export type EndpointState = 'stopped' | 'idle' | 'connecting' | 'retrying' | 'established';

/** Why the endpoint lost its last IKE SA. */
export type DownReason = 'dpd' | 'deleted' | 'stopped' | 'reset' | 'expired';

export type IkeReason =
  | DownReason
  | 'start'
  | 'initiate'
  | 'retry'
  | 'giveUp'
  | 'established'
  /** Superseded by a rekeyed SA and deleted (make-before-break). */
  | 'rekeyed'
  /** Removed because the peer's new IKE SA carried INITIAL_CONTACT (RFC 7296 §2.4). */
  | 'replaced'
  /** The redundant one of two SAs created at the same time (RFC 7296 §2.8.1). */
  | 'duplicate'
  /** Our IKE_SA_INIT / IKE_AUTH went unanswered. */
  | 'timeout'
  | 'halfOpen'
  | 'trap';

/** An IKE SA as both ends name it: the pair of SPIs (RFC 7296 §2.6). */
export interface IkeSaId {
  readonly initiatorSpi: IkeSpi;
  readonly responderSpi: IkeSpi;
}

/** A CHILD SA pair as seen by this endpoint; the peer sees the same pair swapped. */
export interface ChildSaId {
  readonly inboundSpi: number;
  readonly outboundSpi: number;
}

export type IkeOutput =
  | { readonly kind: 'send'; readonly message: IkeMessage }
  | TimerAction<IkeTimer>
  | {
      readonly kind: 'state';
      readonly state: EndpointState;
      readonly previous: EndpointState;
      readonly reason: IkeReason;
    }
  /** A new IKE SA (with its first CHILD SA) completed IKE_AUTH. */
  | { readonly kind: 'established'; readonly ikeSa: IkeSaId; readonly role: 'initiator' | 'responder' }
  /** A CREATE_CHILD_SA rekey produced `ikeSa` to replace `old` (RFC 7296 §2.18). */
  | {
      readonly kind: 'ikeSaRekeyed';
      readonly old: IkeSaId;
      readonly ikeSa: IkeSaId;
      readonly role: 'initiator' | 'responder';
    }
  /** An IKE SA that had completed IKE_AUTH is gone. */
  | { readonly kind: 'ikeSaClosed'; readonly ikeSa: IkeSaId; readonly reason: IkeReason }
  /** The endpoint's last IKE SA is gone. */
  | { readonly kind: 'down'; readonly reason: DownReason }
  /** A CHILD SA was installed in (up) or removed from (down) the data plane. */
  | {
      readonly kind: 'childSa';
      readonly childSa: ChildSaId;
      readonly ikeSa: IkeSaId;
      readonly up: boolean;
      readonly reason: IkeReason;
    }
  /**
   * Level signal: at least one CHILD SA is installed. Rekeying installs the new
   * SA before deleting the old, so this does not drop during a rekey.
   */
  | { readonly kind: 'tunnel'; readonly up: boolean; readonly reason: IkeReason };

/** A read-only view of the endpoint for tests, traces and the gateway model. */
export interface IkeEndpointSnapshot {
  readonly state: EndpointState;
  readonly tunnelUp: boolean;
  readonly ikeSas: readonly {
    readonly id: IkeSaId;
    readonly state: 'connecting' | 'halfOpen' | 'established' | 'rekeying' | 'rekeyed' | 'deleting';
    readonly originalInitiator: boolean;
    /** One of our requests on this SA awaits its response. */
    readonly requestInFlight: boolean;
    readonly childSas: readonly ChildSaId[];
  }[];
}
