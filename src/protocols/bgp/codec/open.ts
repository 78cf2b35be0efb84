import {
  type BgpOpen,
  type Capability,
  type DecodeOutcome,
  ErrorCode,
  HEADER_LENGTH,
  MessageType,
  OpenSubcode,
} from '../messages.ts';
import { readU16, readU32, u16Bytes } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { capabilityWireLength, decodeCapabilities, writeCapability } from './capabilities.ts';
import { frameMessage } from './header.ts';
import { formatIpv4, ipv4OrThrow } from './ipv4.ts';
import { failure, success } from './outcome.ts';

/** RFC 4271 §4.2: the only version we speak. */
export const BGP_VERSION = 4;
/** RFC 5492 §4: Optional Parameter type 2 carries capabilities; type 1 (authentication) is deprecated. */
const PARAMETER_CAPABILITIES = 2;
/** Version, My AS, Hold Time, BGP Identifier, Opt Parm Len (RFC 4271 §4.2). */
const FIXED_FIELDS_END = HEADER_LENGTH + 10;

export function encodeOpen(open: BgpOpen): Uint8Array {
  return frameMessage(MessageType.OPEN, (writer) => {
    writer.u8(open.version, 'OPEN version');
    if (open.myAsn > 0xffff) {
      throw new RangeError(
        `BGP encode: OPEN My AS ${open.myAsn} needs 4 octets; send AS_TRANS and a fourOctetAs capability (RFC 6793 §4.1)`,
      );
    }
    writer.u16(open.myAsn, 'OPEN My AS');
    writer.u16(open.holdTimeSec, 'OPEN hold time');
    writer.u32(ipv4OrThrow(open.bgpIdentifier, 'OPEN BGP identifier'));
    const lengthAt = writer.length;
    writer.u8(0);
    for (const group of parameterGroups(open)) writeCapabilitiesParameter(writer, group);
    // RFC 9072's extended Optional Parameters form is not implemented: past 255 octets, fail loudly.
    writer.patchU8(lengthAt, writer.length - lengthAt - 1, 'OPEN Optional Parameters length');
  });
}

/** One parameter per capability unless the message carries the sender's grouping. */
function parameterGroups(open: BgpOpen): Capability[][] {
  const grouping = open.capabilityGrouping ?? open.capabilities.map(() => 1);
  const total = grouping.reduce((sum, count) => sum + count, 0);
  if (total !== open.capabilities.length) {
    throw new RangeError(
      `BGP encode: capabilityGrouping covers ${total} capabilities but the OPEN has ${open.capabilities.length}`,
    );
  }
  const groups: Capability[][] = [];
  let next = 0;
  for (const count of grouping) {
    groups.push(open.capabilities.slice(next, next + count));
    next += count;
  }
  return groups;
}

function writeCapabilitiesParameter(writer: ByteWriter, group: readonly Capability[]): void {
  const length = group.reduce((sum, capability) => sum + capabilityWireLength(capability), 0);
  writer.u8(PARAMETER_CAPABILITIES);
  writer.u8(length, 'Capabilities Optional Parameter length');
  for (const capability of group) writeCapability(writer, capability);
}

/**
 * Decodes a whole OPEN whose header is already checked (length ≥ 29). Checks run
 * in RFC 4271 §6.2 order: version, My AS, hold time, BGP Identifier, Optional
 * Parameters. Checks that need local configuration — the expected peer AS, our
 * own identifier, our hold-time policy, required capabilities — are the
 * session's job, not the codec's.
 */
export function decodeOpen(bytes: Uint8Array, length: number): DecodeOutcome {
  const version = bytes[HEADER_LENGTH] ?? 0;
  if (version !== BGP_VERSION) {
    // §6.2: data = the largest locally supported version below the bid, or else the smallest; we have only 4.
    return failure(
      ErrorCode.OPEN_MESSAGE,
      OpenSubcode.UNSUPPORTED_VERSION,
      `BGP version ${version} offered; we speak only ${BGP_VERSION}`,
      u16Bytes(BGP_VERSION),
    );
  }
  const myAsn = readU16(bytes, HEADER_LENGTH + 1);
  if (myAsn === 0) {
    return failure(ErrorCode.OPEN_MESSAGE, OpenSubcode.BAD_PEER_AS, 'My AS is 0 (RFC 7607 §2)');
  }
  const holdTimeSec = readU16(bytes, HEADER_LENGTH + 3);
  if (holdTimeSec === 1 || holdTimeSec === 2) {
    return failure(
      ErrorCode.OPEN_MESSAGE,
      OpenSubcode.UNACCEPTABLE_HOLD_TIME,
      `hold time ${holdTimeSec}s; RFC 4271 §4.2 allows only 0 or at least 3`,
    );
  }
  const identifier = readU32(bytes, HEADER_LENGTH + 5);
  if (identifier === 0) {
    // RFC 6286 §2.2: any non-zero 4-octet value is a valid identifier; zero is not.
    return failure(ErrorCode.OPEN_MESSAGE, OpenSubcode.BAD_BGP_IDENTIFIER, 'BGP Identifier is 0.0.0.0');
  }
  const parametersLength = bytes[FIXED_FIELDS_END - 1] ?? 0;
  if (FIXED_FIELDS_END + parametersLength !== length) {
    // §6.2: a malformed recognised parameter is OPEN error "Unspecific"; the lengths disagree, so it is one.
    return failure(
      ErrorCode.OPEN_MESSAGE,
      OpenSubcode.UNSPECIFIC,
      `Optional Parameters Length ${parametersLength} but ${length - FIXED_FIELDS_END} octets follow`,
    );
  }
  const capabilities: Capability[] = [];
  const grouping: number[] = [];
  let pos = FIXED_FIELDS_END;
  while (pos < length) {
    if (length - pos < 2) {
      return failure(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNSPECIFIC, 'Optional Parameter header truncated');
    }
    const parameterType = bytes[pos] ?? 0;
    const parameterLength = bytes[pos + 1] ?? 0;
    const valueEnd = pos + 2 + parameterLength;
    if (valueEnd > length) {
      return failure(
        ErrorCode.OPEN_MESSAGE,
        OpenSubcode.UNSPECIFIC,
        `Optional Parameter of length ${parameterLength} overruns the OPEN`,
      );
    }
    if (parameterType !== PARAMETER_CAPABILITIES) {
      return failure(
        ErrorCode.OPEN_MESSAGE,
        OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER,
        `Optional Parameter type ${parameterType} is not supported (only Capabilities, type 2)`,
      );
    }
    const before = capabilities.length;
    const malformed = decodeCapabilities(bytes, pos + 2, valueEnd, capabilities);
    if (malformed !== undefined) return failure(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNSPECIFIC, malformed);
    grouping.push(capabilities.length - before);
    pos = valueEnd;
  }
  if (capabilities.some((capability) => capability.code === 'fourOctetAs' && capability.asn === 0)) {
    return failure(
      ErrorCode.OPEN_MESSAGE,
      OpenSubcode.BAD_PEER_AS,
      '4-octet AS capability carries AS 0 (RFC 7607 §2)',
    );
  }
  const open: BgpOpen = {
    type: 'open',
    version,
    myAsn,
    holdTimeSec,
    bgpIdentifier: formatIpv4(identifier),
    capabilities,
    ...(grouping.every((count) => count === 1) ? {} : { capabilityGrouping: grouping }),
  };
  return success(open);
}
