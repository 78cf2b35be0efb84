import {
  type BgpMessage,
  type BgpNotification,
  type DecodeOutcome,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
} from '../messages.ts';

/**
 * Builders for the decoder's results. A decode error is a value — the
 * NOTIFICATION RFC 4271 §6 says to send, plus a sentence for traces — never an
 * exception (STYLE.md: errors in cores are values).
 */
export type DecodeFailure = Extract<DecodeOutcome, { ok: false }>;

/**
 * The most Data a NOTIFICATION can carry: the message itself may not exceed 4096
 * octets (RFC 4271 §4.1), and the header, code and subcode take 21 of them.
 */
export const MAX_NOTIFICATION_DATA = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 2;

export function failure(code: number, subcode: number, reason: string, data?: Uint8Array): DecodeFailure {
  // Data that quotes a whole message (RFC 7313 §5: the complete ROUTE-REFRESH) can be up
  // to 4096 octets; only its first 4075 fit, and they identify the message well enough.
  const fitting = data && data.length > MAX_NOTIFICATION_DATA ? data.slice(0, MAX_NOTIFICATION_DATA) : data;
  return { ok: false, notification: notificationMessage(code, subcode, fitting), reason };
}

export function success(message: BgpMessage, warnings: readonly string[] = []): DecodeOutcome {
  return { ok: true, message, warnings };
}

export function notificationMessage(
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): BgpNotification {
  return { type: 'notification', code, subcode, data };
}
