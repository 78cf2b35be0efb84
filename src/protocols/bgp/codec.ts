/**
 * The BGP-4 wire codec's public entry (RFC 4271 §4, RFC 2918, RFC 5492, RFC 6793,
 * RFC 7606): plain message data in, bytes out, and back. One file per message
 * family lives in ./codec/; this file only dispatches. The decoder never throws
 * on any bytes — every problem comes back as the NOTIFICATION to send, or as
 * RFC 7606 warnings on an UPDATE that was still accepted. The encoder throws only
 * on data our own code should never have produced (a bad prefix string, a value
 * too big for its field, a message over 4096 octets).
 */
import { assertNever } from '../core.ts';
import { u16Bytes } from './codec/byte-reader.ts';
import { checkHeader, checkLengthForType, isFailure } from './codec/header.ts';
import { decodeKeepalive, encodeKeepalive } from './codec/keepalive.ts';
import { decodeNotification, encodeNotification } from './codec/notification.ts';
import { decodeOpen, encodeOpen } from './codec/open.ts';
import { failure } from './codec/outcome.ts';
import { decodeRouteRefresh, encodeRouteRefresh } from './codec/route-refresh.ts';
import { decodeUpdate, encodeUpdate } from './codec/update.ts';
import {
  type BgpMessage,
  type CodecContext,
  type DecodeOutcome,
  ErrorCode,
  HEADER_LENGTH,
  HeaderSubcode,
  MessageType,
} from './messages.ts';

export { AttributeFlag, AttributeType } from './codec/attribute-types.ts';
export { CapabilityCode } from './codec/capabilities.ts';
export { type FramedMessages, MessageFramer } from './codec/framer.ts';
export { codecContextFor, hasFourOctetAs, myAsnField, speakerAsn } from './codec/negotiation.ts';
export { describeNotification } from './codec/notification.ts';
export { BGP_VERSION } from './codec/open.ts';
export { type DecodeFailure, notificationMessage } from './codec/outcome.ts';

export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Uint8Array {
  switch (msg.type) {
    case 'open':
      return encodeOpen(msg);
    case 'update':
      return encodeUpdate(msg, ctx);
    case 'notification':
      return encodeNotification(msg);
    case 'keepalive':
      return encodeKeepalive();
    case 'routeRefresh':
      return encodeRouteRefresh(msg);
    default:
      return assertNever(msg, 'BGP message');
  }
}

/** Decodes exactly one whole message, header included (what MessageFramer hands out). */
export function decodeMessage(bytes: Uint8Array, ctx: CodecContext): DecodeOutcome {
  if (bytes.length < HEADER_LENGTH) return truncatedHeader(bytes);
  const header = checkHeader(bytes);
  if (isFailure(header)) return header;
  if (header.length !== bytes.length) {
    return failure(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_LENGTH,
      `length field says ${header.length} octets but ${bytes.length} were given`,
      u16Bytes(header.length),
    );
  }
  const lengthError = checkLengthForType(header);
  if (lengthError) return lengthError;
  switch (header.type) {
    case MessageType.OPEN:
      return decodeOpen(bytes, header.length);
    case MessageType.UPDATE:
      return decodeUpdate(bytes, header.length, ctx);
    case MessageType.NOTIFICATION:
      return decodeNotification(bytes, header.length);
    case MessageType.KEEPALIVE:
      return decodeKeepalive();
    default:
      return decodeRouteRefresh(bytes, header.length);
  }
}

/** Fewer than 19 octets: still report a bad marker first if that much is visible (RFC 4271 §6.1 order). */
function truncatedHeader(bytes: Uint8Array): DecodeOutcome {
  const markerOctets = Math.min(bytes.length, 16);
  for (let i = 0; i < markerOctets; i++) {
    if (bytes[i] !== 0xff) {
      return failure(
        ErrorCode.MESSAGE_HEADER,
        HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED,
        `marker octet ${i} is not 0xff`,
      );
    }
  }
  const lengthField = bytes.length >= 18 ? bytes.slice(16, 18) : u16Bytes(bytes.length);
  return failure(
    ErrorCode.MESSAGE_HEADER,
    HeaderSubcode.BAD_MESSAGE_LENGTH,
    `only ${bytes.length} octets, shorter than the ${HEADER_LENGTH}-octet header`,
    lengthField,
  );
}
