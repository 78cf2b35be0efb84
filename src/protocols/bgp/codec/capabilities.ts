import type { Capability } from '../messages.ts';
import { readU16, readU32 } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';

/** IANA BGP Capability Codes the codec interprets; every other code is kept verbatim. */
export const CapabilityCode = {
  /** RFC 4760 §8. */
  MULTIPROTOCOL: 1,
  /** RFC 2918 §3. */
  ROUTE_REFRESH: 2,
  /** RFC 6793 §3. */
  FOUR_OCTET_AS: 65,
} as const;

/** Octets a capability takes on the wire: code, length, value (RFC 5492 §4). */
export function capabilityWireLength(capability: Capability): number {
  switch (capability.code) {
    case 'multiprotocol':
    case 'fourOctetAs':
      return 6;
    case 'routeRefresh':
      return 2;
    case 'unknown':
      return 2 + capability.value.length;
  }
}

export function writeCapability(writer: ByteWriter, capability: Capability): void {
  switch (capability.code) {
    case 'multiprotocol':
      writer.u8(CapabilityCode.MULTIPROTOCOL);
      writer.u8(4);
      writer.u16(capability.afi, 'multiprotocol AFI');
      // RFC 4760 §8: the Reserved octet SHOULD be sent as 0.
      writer.u8(0);
      writer.u8(capability.safi, 'multiprotocol SAFI');
      return;
    case 'routeRefresh':
      writer.u8(CapabilityCode.ROUTE_REFRESH);
      writer.u8(0);
      return;
    case 'fourOctetAs':
      writer.u8(CapabilityCode.FOUR_OCTET_AS);
      writer.u8(4);
      writer.u32(capability.asn, '4-octet AS capability ASN');
      return;
    case 'unknown':
      if (isInterpretedCode(capability.type)) {
        throw new RangeError(
          `BGP encode: capability code ${capability.type} has a typed form; do not pass it as 'unknown'`,
        );
      }
      writer.u8(capability.type, 'capability code');
      writer.u8(capability.value.length, 'capability length');
      writer.bytes(capability.value);
      return;
  }
}

function isInterpretedCode(code: number): boolean {
  return (
    code === CapabilityCode.MULTIPROTOCOL ||
    code === CapabilityCode.ROUTE_REFRESH ||
    code === CapabilityCode.FOUR_OCTET_AS
  );
}

/**
 * Reads the capabilities of one Capabilities Optional Parameter, bytes[start,
 * end), into `out`. Returns a reason when the parameter is malformed: a
 * capability running past the parameter, or a capability we interpret with the
 * wrong length (RFC 4760 §8 and RFC 6793 §3 fix it at 4, RFC 2918 §3 at 0).
 * Unrecognised codes are kept verbatim (RFC 5492 §3: ignore, do not reject).
 */
export function decodeCapabilities(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Capability[],
): string | undefined {
  let pos = start;
  while (pos < end) {
    if (end - pos < 2) return `capability header truncated at octet ${pos}`;
    const code = bytes[pos] ?? 0;
    const length = bytes[pos + 1] ?? 0;
    const valueStart = pos + 2;
    if (valueStart + length > end) return `capability ${code} of length ${length} overruns its parameter`;
    switch (code) {
      case CapabilityCode.MULTIPROTOCOL:
        if (length !== 4) return `multiprotocol capability of length ${length}, must be 4`;
        // RFC 4760 §8: the Reserved octet is ignored by the receiver.
        out.push({
          code: 'multiprotocol',
          afi: readU16(bytes, valueStart),
          safi: bytes[valueStart + 3] ?? 0,
        });
        break;
      case CapabilityCode.ROUTE_REFRESH:
        if (length !== 0) return `route refresh capability of length ${length}, must be 0`;
        out.push({ code: 'routeRefresh' });
        break;
      case CapabilityCode.FOUR_OCTET_AS:
        if (length !== 4) return `4-octet AS capability of length ${length}, must be 4`;
        out.push({ code: 'fourOctetAs', asn: readU32(bytes, valueStart) });
        break;
      default:
        out.push({ code: 'unknown', type: code, value: bytes.slice(valueStart, valueStart + length) });
    }
    pos = valueStart + length;
  }
  return undefined;
}
