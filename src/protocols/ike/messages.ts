/**
 * IKEv2 messages as plain data (RFC 7296 §3). Not wire bytes: in the live lab
 * real strongSwan speaks the wire, so the simulator only needs the fields that
 * decide behaviour and timing — exchange type, the R and I flags, the two IKE
 * SPIs, the Message ID and the payloads that drive the state machine. Keys,
 * proposals and traffic selectors are assumed to match (Azure's default
 * policies against a compatible device) and are not modelled.
 *
 * SPIs and nonces are unsigned 32-bit numbers drawn from the endpoint's seeded
 * RNG: enough to tell SAs apart in a simulation, readable in traces and JSON.
 * Real IKE SPIs are 64-bit and nonces at least 128-bit (RFC 7296 §2.10).
 */

/** RFC 7296 §3.1: the exchange types we model. */
export type ExchangeType = 'IKE_SA_INIT' | 'IKE_AUTH' | 'CREATE_CHILD_SA' | 'INFORMATIONAL';

/** An IKE SPI; 0 means "not yet known" (the responder SPI of an IKE_SA_INIT request, §3.1). */
export type IkeSpi = number;

/** RFC 7296 §3.10.1: the Notify message types whose handling we model. */
export type NotifyType =
  /** §2.4: the sender holds no other IKE SA with us; stale ones can go. */
  | 'INITIAL_CONTACT'
  /** §2.21.4: sent, unprotected, in answer to a request for an IKE SA the sender does not know. */
  | 'INVALID_IKE_SPI'
  /** §2.8: marks a CREATE_CHILD_SA as rekeying the CHILD SA whose SPI it carries. */
  | 'REKEY_SA'
  /** §2.25: the request collided with a rekey or delete in progress; try again later. */
  | 'TEMPORARY_FAILURE'
  /** §2.25: the CHILD SA to rekey does not exist. */
  | 'CHILD_SA_NOT_FOUND';

export type IkePayload =
  /** Ni / Nr (§3.9). Also what simultaneous-rekey and duplicate-SA resolution compare (§2.8.1). */
  | { readonly type: 'nonce'; readonly nonce: number }
  /** IDi / IDr with AUTH (§3.5, §3.8), collapsed into one: authentication always succeeds. */
  | { readonly type: 'identity'; readonly id: string }
  /** SA payload proposing an ESP CHILD SA; `spi` is the sender's inbound SPI (§3.3.1). */
  | { readonly type: 'childSa'; readonly spi: number }
  /** SA payload of an IKE SA rekey; `spi` is the sender's SPI for the new IKE SA (§1.3.2). */
  | { readonly type: 'ikeSa'; readonly spi: IkeSpi }
  /** Notify (§3.10); `spi` is the CHILD SA SPI for REKEY_SA and CHILD_SA_NOT_FOUND. */
  | { readonly type: 'notify'; readonly notify: NotifyType; readonly spi?: number }
  /** Delete of the IKE SA the message travels on (§3.11, protocol IKE, no SPIs). */
  | { readonly type: 'deleteIke' }
  /** Delete of ESP CHILD SAs; `spis` are the sender's inbound SPIs (§1.4.1). */
  | { readonly type: 'deleteChild'; readonly spis: readonly number[] };

export interface IkeMessage {
  readonly exchange: ExchangeType;
  /** §3.1 R flag. */
  readonly isResponse: boolean;
  /** §3.1 I flag: set in messages sent by the original initiator of the IKE SA. */
  readonly fromOriginalInitiator: boolean;
  readonly initiatorSpi: IkeSpi;
  readonly responderSpi: IkeSpi;
  /** §2.2: each side numbers its own requests from 0; a response carries the request's ID. */
  readonly messageId: number;
  readonly payloads: readonly IkePayload[];
}

export function findNonce(message: IkeMessage): number | undefined {
  for (const p of message.payloads) if (p.type === 'nonce') return p.nonce;
  return undefined;
}

export function findChildSaSpi(message: IkeMessage): number | undefined {
  for (const p of message.payloads) if (p.type === 'childSa') return p.spi;
  return undefined;
}

export function findIkeSaSpi(message: IkeMessage): IkeSpi | undefined {
  for (const p of message.payloads) if (p.type === 'ikeSa') return p.spi;
  return undefined;
}

export function hasNotify(message: IkeMessage, notify: NotifyType): boolean {
  return message.payloads.some((p) => p.type === 'notify' && p.notify === notify);
}

export function findNotifySpi(message: IkeMessage, notify: NotifyType): number | undefined {
  for (const p of message.payloads) if (p.type === 'notify' && p.notify === notify) return p.spi;
  return undefined;
}

/** A one-line rendering for traces: "IKE_AUTH req #1 5f3a01c2/9b0e44d1 [identity, childSa]". */
export function describeMessage(message: IkeMessage): string {
  const kind = message.isResponse ? 'resp' : 'req';
  const spis = `${hex(message.initiatorSpi)}/${hex(message.responderSpi)}`;
  const payloads = message.payloads.map((p) => (p.type === 'notify' ? p.notify : p.type)).join(', ');
  return `${message.exchange} ${kind} #${message.messageId} ${spis} [${payloads}]`;
}

export function hex(spi: number): string {
  return (spi >>> 0).toString(16).padStart(8, '0');
}
