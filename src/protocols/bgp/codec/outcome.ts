import type { BgpMessage, BgpNotification, DecodeOutcome } from '../messages.ts';

/**
 * Builders for the decoder's results. A decode error is a value — the
 * NOTIFICATION RFC 4271 §6 says to send, plus a sentence for traces — never an
 * exception (STYLE.md: errors in cores are values).
 */
export type DecodeFailure = Extract<DecodeOutcome, { ok: false }>;

export function failure(code: number, subcode: number, reason: string, data?: Uint8Array): DecodeFailure {
  return { ok: false, notification: notificationMessage(code, subcode, data), reason };
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
