import { type BgpNotification, type DecodeOutcome, HEADER_LENGTH, MessageType } from '../messages.ts';
import { frameMessage } from './header.ts';
import { success } from './outcome.ts';

/** RFC 4271 §4.5: code, subcode, then data to the end of the message. */
export function encodeNotification(message: BgpNotification): Uint8Array {
  return frameMessage(MessageType.NOTIFICATION, (writer) => {
    writer.u8(message.code, 'NOTIFICATION error code');
    writer.u8(message.subcode, 'NOTIFICATION error subcode');
    writer.bytes(message.data);
  });
}

/**
 * Any code and subcode decode: a NOTIFICATION is never answered with another
 * (RFC 4271 §6.4 closes the connection either way), so there is nothing to
 * reject — the session just reports what the peer said.
 */
export function decodeNotification(bytes: Uint8Array, length: number): DecodeOutcome {
  return success({
    type: 'notification',
    code: bytes[HEADER_LENGTH] ?? 0,
    subcode: bytes[HEADER_LENGTH + 1] ?? 0,
    data: bytes.slice(HEADER_LENGTH + 2, length),
  });
}

/** IANA "BGP Error (Notification) Codes" and their subcodes, for traces and logs. */
const NAMES: Readonly<Record<number, readonly [string, Readonly<Record<number, string>>]>> = {
  1: [
    'Message Header Error',
    { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  ],
  2: [
    'OPEN Message Error',
    {
      0: 'Unspecific',
      1: 'Unsupported Version Number',
      2: 'Bad Peer AS',
      3: 'Bad BGP Identifier',
      4: 'Unsupported Optional Parameter',
      6: 'Unacceptable Hold Time',
      7: 'Unsupported Capability',
      11: 'Role Mismatch',
    },
  ],
  3: [
    'UPDATE Message Error',
    {
      1: 'Malformed Attribute List',
      2: 'Unrecognized Well-known Attribute',
      3: 'Missing Well-known Attribute',
      4: 'Attribute Flags Error',
      5: 'Attribute Length Error',
      6: 'Invalid ORIGIN Attribute',
      8: 'Invalid NEXT_HOP Attribute',
      9: 'Optional Attribute Error',
      10: 'Invalid Network Field',
      11: 'Malformed AS_PATH',
    },
  ],
  4: ['Hold Timer Expired', {}],
  5: [
    'Finite State Machine Error',
    {
      0: 'Unspecified Error',
      1: 'Receive Unexpected Message in OpenSent State',
      2: 'Receive Unexpected Message in OpenConfirm State',
      3: 'Receive Unexpected Message in Established State',
    },
  ],
  6: [
    'Cease',
    {
      1: 'Maximum Number of Prefixes Reached',
      2: 'Administrative Shutdown',
      3: 'Peer De-configured',
      4: 'Administrative Reset',
      5: 'Connection Rejected',
      6: 'Other Configuration Change',
      7: 'Connection Collision Resolution',
      8: 'Out of Resources',
      9: 'Hard Reset',
      10: 'BFD Down',
    },
  ],
  7: ['ROUTE-REFRESH Message Error', { 1: 'Invalid Message Length' }],
};

/** "Cease / Administrative Reset (6/4)" — a NOTIFICATION as a network engineer reads it. */
export function describeNotification(message: Pick<BgpNotification, 'code' | 'subcode'>): string {
  const entry = NAMES[message.code];
  const codeName = entry?.[0] ?? `Error code ${message.code}`;
  const subcodeName = entry?.[1][message.subcode];
  const numbers = `(${message.code}/${message.subcode})`;
  if (subcodeName !== undefined) return `${codeName} / ${subcodeName} ${numbers}`;
  return message.subcode === 0
    ? `${codeName} ${numbers}`
    : `${codeName} / subcode ${message.subcode} ${numbers}`;
}
