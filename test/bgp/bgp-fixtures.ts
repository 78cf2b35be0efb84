import type { FsmConfig, FsmOutput } from '../../src/protocols/bgp/fsm.ts';
import { buildOpen } from '../../src/protocols/bgp/fsm.ts';
import type { BgpMessage, BgpNotification, BgpOpen, BgpUpdate } from '../../src/protocols/bgp/messages.ts';

/** The Azure side: VWAN hub gateway ASN 65515 (AZURE-FACTS.md), Instance0's BGP address as identifier. */
export const AZURE: FsmConfig = { localAsn: 65515, localBgpId: '10.0.0.12', peerAsn: 65010 };
/** The on-premises VPN device, BGP on a loopback. */
export const DEVICE: FsmConfig = { localAsn: 65010, localBgpId: '192.168.1.1', peerAsn: 65515 };

/** The OPEN the neighbour described by `config` would send. */
export function openFrom(config: FsmConfig, overrides: Partial<BgpOpen> = {}): BgpOpen {
  return { ...buildOpen(config), ...overrides };
}

export const KEEPALIVE: BgpMessage = { type: 'keepalive' };

export function update(
  nlri: string[],
  nextHop: string,
  asPath: number[],
  withdrawn: string[] = [],
): BgpUpdate {
  return {
    type: 'update',
    withdrawn,
    attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: asPath }], nextHop },
    nlri,
  };
}

export function notificationOf(
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): BgpNotification {
  return { type: 'notification', code, subcode, data };
}

/** The messages a batch of outputs sends, in order. */
export function sent(outputs: readonly { readonly kind: string }[]): BgpMessage[] {
  const messages: BgpMessage[] = [];
  for (const output of outputs) {
    if (output.kind === 'send' && 'msg' in output) messages.push(output.msg as BgpMessage);
  }
  return messages;
}

/** The NOTIFICATIONs a batch of outputs sends, as "code/subcode". */
export function notificationsSent(outputs: readonly { readonly kind: string }[]): string[] {
  return sent(outputs).flatMap((m) => (m.type === 'notification' ? [`${m.code}/${m.subcode}`] : []));
}

/** Timer requests in a batch of outputs, as "arm hold 180000" / "cancel keepalive". */
export function timerActions(outputs: readonly FsmOutput[]): string[] {
  return outputs.flatMap((o) => {
    if (o.kind === 'armTimer') return [`arm ${o.timer} ${o.delayMs}`];
    if (o.kind === 'cancelTimer') return [`cancel ${o.timer}`];
    return [];
  });
}

/** State changes in a batch of outputs, as "from→to (reason)". */
export function transitions(outputs: readonly { readonly kind: string }[]): string[] {
  return outputs.flatMap((o) =>
    o.kind === 'state' && 'from' in o && 'to' in o && 'reason' in o
      ? [`${o.from}→${o.to} (${o.reason})`]
      : [],
  );
}
