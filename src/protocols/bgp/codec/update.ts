import {
  type BgpUpdate,
  type CodecContext,
  type DecodeOutcome,
  ErrorCode,
  HEADER_LENGTH,
  MessageType,
  type PathAttributes,
  UpdateSubcode,
} from '../messages.ts';
import { scanPathAttributes } from './attribute-decode.ts';
import { writePathAttributes } from './attribute-encode.ts';
import { readU16 } from './byte-reader.ts';
import { frameMessage } from './header.ts';
import { decodePrefixes, writePrefixes } from './nlri.ts';
import { failure, success } from './outcome.ts';

/** RFC 4271 §4.3: Withdrawn Routes Length, Withdrawn Routes, Total Path Attribute Length, attributes, NLRI. */
export function encodeUpdate(update: BgpUpdate, ctx: CodecContext): Uint8Array {
  return frameMessage(MessageType.UPDATE, (writer) => {
    const withdrawnLengthAt = writer.length;
    writer.u16(0);
    writePrefixes(writer, update.withdrawn, 'withdrawn route');
    writer.patchU16(withdrawnLengthAt, writer.length - withdrawnLengthAt - 2, 'Withdrawn Routes Length');
    const attributesLengthAt = writer.length;
    writer.u16(0);
    writePathAttributes(writer, update.attributes, update.attributeLayout, ctx);
    writer.patchU16(
      attributesLengthAt,
      writer.length - attributesLengthAt - 2,
      'Total Path Attribute Length',
    );
    writePrefixes(writer, update.nlri, 'NLRI prefix');
  });
}

/**
 * Decodes a whole UPDATE whose header is already checked (length ≥ 23), with
 * RFC 7606 error handling. Session resets are kept for what leaves the message
 * unparseable: field lengths that overrun it (RFC 4271 §6.3 Malformed Attribute
 * List), a malformed prefix field (RFC 7606 §5.3; we choose session reset over
 * AFI/SAFI disable, with RFC 4271's Invalid Network Field), a repeated
 * MP_REACH/MP_UNREACH (RFC 7606 §3(g)), and an unrecognised well-known
 * attribute (RFC 4271 §6.3).
 */
export function decodeUpdate(bytes: Uint8Array, length: number, ctx: CodecContext): DecodeOutcome {
  const withdrawnLength = readU16(bytes, HEADER_LENGTH);
  const withdrawnStart = HEADER_LENGTH + 2;
  const withdrawnEnd = withdrawnStart + withdrawnLength;
  if (withdrawnEnd + 2 > length) {
    return failure(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
      `Withdrawn Routes Length ${withdrawnLength} overruns the ${length}-octet UPDATE`,
    );
  }
  const attributesLength = readU16(bytes, withdrawnEnd);
  const attributesStart = withdrawnEnd + 2;
  const attributesEnd = attributesStart + attributesLength;
  if (attributesEnd > length) {
    return failure(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
      `Total Path Attribute Length ${attributesLength} overruns the ${length}-octet UPDATE`,
    );
  }

  const withdrawn = decodePrefixes(bytes, withdrawnStart, withdrawnEnd);
  if (!withdrawn.ok) {
    return failure(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.INVALID_NETWORK_FIELD,
      `Withdrawn Routes: ${withdrawn.reason}`,
    );
  }
  const scan = scanPathAttributes(bytes, attributesStart, attributesEnd, ctx);
  if ('ok' in scan) return scan;
  const nlri = decodePrefixes(bytes, attributesEnd, length);
  if (!nlri.ok)
    return failure(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.INVALID_NETWORK_FIELD, `NLRI: ${nlri.reason}`);

  const warnings = [...scan.warnings];
  const withdrawReasons = [...scan.withdrawReasons];
  if (nlri.prefixes.length > 0) {
    const missing = missingMandatory(scan.attributes);
    if (missing.length > 0) {
      const reason = `missing well-known mandatory ${missing.join(', ')} (RFC 7606 §3(d))`;
      withdrawReasons.push(reason);
      warnings.push(`treat-as-withdraw: ${reason}`);
    }
  }

  if (withdrawReasons.length > 0) {
    // The routes this UPDATE would have announced are withdrawn instead; its attributes mean nothing now.
    if (nlri.prefixes.length > 0) {
      warnings.push(`treat-as-withdraw: ${nlri.prefixes.length} NLRI prefix(es) moved to withdrawn`);
    }
    const asWithdrawal: BgpUpdate = {
      type: 'update',
      withdrawn: [...withdrawn.prefixes, ...nlri.prefixes],
      attributes: {},
      nlri: [],
    };
    return success(asWithdrawal, warnings);
  }
  const update: BgpUpdate = {
    type: 'update',
    withdrawn: withdrawn.prefixes,
    attributes: scan.attributes,
    nlri: nlri.prefixes,
    ...(scan.layout ? { attributeLayout: scan.layout } : {}),
  };
  return success(update, warnings);
}

/**
 * RFC 4271 §5: ORIGIN, AS_PATH and NEXT_HOP must accompany NLRI in the classic
 * field (RFC 4760 makes NEXT_HOP optional only when there is none).
 */
function missingMandatory(attributes: PathAttributes): string[] {
  const missing: string[] = [];
  if (attributes.origin === undefined) missing.push('ORIGIN');
  if (attributes.asPath === undefined) missing.push('AS_PATH');
  if (attributes.nextHop === undefined) missing.push('NEXT_HOP');
  return missing;
}
