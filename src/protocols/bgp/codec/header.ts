import { ErrorCode, HEADER_LENGTH, HeaderSubcode, MAX_MESSAGE_LENGTH, MessageType } from '../messages.ts';
import { readU16, u16Bytes } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { type DecodeFailure, failure } from './outcome.ts';

/** RFC 4271 §4.1: the marker is 16 octets of all ones (no authentication in BGP-4). */
const MARKER_LENGTH = 16;
const LENGTH_OFFSET = 16;
const TYPE_OFFSET = 18;

/**
 * RFC 4271 §6.1 minimum lengths per type (OPEN 29, UPDATE 23, NOTIFICATION 21,
 * KEEPALIVE exactly 19) and RFC 2918 §3 for ROUTE-REFRESH (header + 4).
 */
const MINIMUM_LENGTH: Readonly<Record<number, number>> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: HEADER_LENGTH,
  [MessageType.ROUTE_REFRESH]: 23,
};

export interface HeaderFields {
  readonly length: number;
  readonly type: number;
}

/**
 * The checks a receiver can make from the 19-octet header alone, in RFC 4271
 * §6.1 order: marker (Connection Not Synchronized), length in 19..4096 (Bad
 * Message Length, data = the length field), known type (Bad Message Type, data =
 * the type field). `bytes` must hold at least the header.
 */
export function checkHeader(bytes: Uint8Array): HeaderFields | DecodeFailure {
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (bytes[i] !== 0xff) {
      return failure(
        ErrorCode.MESSAGE_HEADER,
        HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED,
        `marker octet ${i} is 0x${(bytes[i] ?? 0).toString(16).padStart(2, '0')}, not 0xff`,
      );
    }
  }
  const length = readU16(bytes, LENGTH_OFFSET);
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    return failure(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_LENGTH,
      `length field ${length} outside ${HEADER_LENGTH}..${MAX_MESSAGE_LENGTH}`,
      u16Bytes(length),
    );
  }
  const type = bytes[TYPE_OFFSET] ?? 0;
  if (MINIMUM_LENGTH[type] === undefined) {
    return failure(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_TYPE,
      `unknown message type ${type}`,
      Uint8Array.of(type),
    );
  }
  return { length, type };
}

/** RFC 4271 §6.1: a length below the type's minimum (or a KEEPALIVE that is not exactly 19). */
export function checkLengthForType(header: HeaderFields): DecodeFailure | undefined {
  const minimum = MINIMUM_LENGTH[header.type] ?? HEADER_LENGTH;
  const tooShort = header.length < minimum;
  const keepaliveWithBody = header.type === MessageType.KEEPALIVE && header.length !== HEADER_LENGTH;
  if (!tooShort && !keepaliveWithBody) return undefined;
  return failure(
    ErrorCode.MESSAGE_HEADER,
    HeaderSubcode.BAD_MESSAGE_LENGTH,
    keepaliveWithBody
      ? `KEEPALIVE of length ${header.length}, must be exactly ${HEADER_LENGTH}`
      : `message type ${header.type} of length ${header.length}, below its minimum ${minimum}`,
    u16Bytes(header.length),
  );
}

export function isFailure(value: HeaderFields | DecodeFailure): value is DecodeFailure {
  return 'ok' in value;
}

/**
 * Writes marker, length and type around a body. A message above 4096 octets is
 * a caller bug (RFC 4271 §4: UPDATEs must be split to fit), so it throws.
 */
export function frameMessage(type: number, writeBody: (writer: ByteWriter) => void): Uint8Array {
  const writer = new ByteWriter(128);
  for (let i = 0; i < MARKER_LENGTH; i++) writer.u8(0xff);
  writer.u16(0);
  writer.u8(type);
  writeBody(writer);
  const length = writer.length;
  if (length > MAX_MESSAGE_LENGTH) {
    throw new RangeError(
      `BGP encode: message type ${type} would be ${length} octets, above the ${MAX_MESSAGE_LENGTH}-octet limit; split it`,
    );
  }
  writer.patchU16(LENGTH_OFFSET, length, 'message length');
  return writer.finish();
}
