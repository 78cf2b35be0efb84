import { type DecodeOutcome, MessageType } from '../messages.ts';
import { frameMessage } from './header.ts';
import { success } from './outcome.ts';

/** RFC 4271 §4.4: a KEEPALIVE is the header alone; its exact length is checked with the header. */
export function encodeKeepalive(): Uint8Array {
  return frameMessage(MessageType.KEEPALIVE, () => {});
}

export function decodeKeepalive(): DecodeOutcome {
  return success({ type: 'keepalive' });
}
