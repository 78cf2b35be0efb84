/**
 * A tolerant reading of BGP message bytes for the mutator (RFC 4271 §4): where the
 * messages of a stream start, where their length fields and path attributes lie,
 * and — for well-formed UPDATEs and OPENs — their parts, so a mutation can change
 * one attribute or parameter and write every enclosing length back consistently.
 * Unlike the codec it never judges anything; it only finds offsets, as far as the
 * bytes let it.
 */

export const HEADER_LENGTH = 19;
const TYPE_OPEN = 1;
const TYPE_UPDATE = 2;
/** RFC 4271 §4.3 Attribute Flags: Extended Length makes the length field 2 octets. */
export const EXTENDED_LENGTH = 0x10;
const AS_PATH = 2;
/** RFC 5492: Optional Parameter type 2 holds capabilities. */
const PARAMETER_CAPABILITIES = 2;

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A length (or count) field somewhere in the stream: `width` 1 or 2 octets, big-endian. */
export interface LengthField {
  readonly at: number;
  readonly width: 1 | 2;
  readonly what: string;
}

export interface AttributeSpan extends Span {
  readonly flagsAt: number;
  readonly typeCode: number;
}

export function readU16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

export function writeU16(bytes: Uint8Array, at: number, value: number): void {
  if (at + 1 >= bytes.length) return;
  bytes[at] = (value >>> 8) & 0xff;
  bytes[at + 1] = value & 0xff;
}

/** The messages of a stream, cut by their length fields while those make sense; the rest is one last span. */
export function messageSpans(stream: Uint8Array): Span[] {
  const spans: Span[] = [];
  let pos = 0;
  while (stream.length - pos >= HEADER_LENGTH) {
    const length = readU16(stream, pos + 16);
    if (length < HEADER_LENGTH || pos + length > stream.length) break;
    spans.push({ start: pos, end: pos + length });
    pos += length;
  }
  if (pos < stream.length) spans.push({ start: pos, end: stream.length });
  return spans;
}

/** Every length or count field the walk can find, in every message of the stream. */
export function lengthFields(stream: Uint8Array): LengthField[] {
  const fields: LengthField[] = [];
  for (const span of messageSpans(stream)) {
    if (span.end - span.start < HEADER_LENGTH) continue;
    fields.push({ at: span.start + 16, width: 2, what: 'message length' });
    const type = stream[span.start + 18];
    if (type === TYPE_UPDATE) updateFields(stream, span, fields);
    else if (type === TYPE_OPEN) openFields(stream, span, fields);
  }
  return fields;
}

function updateFields(bytes: Uint8Array, span: Span, fields: LengthField[]): void {
  const withdrawnAt = span.start + HEADER_LENGTH;
  if (withdrawnAt + 2 > span.end) return;
  fields.push({ at: withdrawnAt, width: 2, what: 'withdrawn routes length' });
  const withdrawnEnd = Math.min(withdrawnAt + 2 + readU16(bytes, withdrawnAt), span.end);
  prefixFields(bytes, withdrawnAt + 2, withdrawnEnd, fields);
  const totalAt = withdrawnEnd;
  if (totalAt + 2 > span.end) return;
  fields.push({ at: totalAt, width: 2, what: 'total path attribute length' });
  const attributesEnd = Math.min(totalAt + 2 + readU16(bytes, totalAt), span.end);
  for (const attribute of attributeSpansIn(bytes, totalAt + 2, attributesEnd)) {
    const extended = ((bytes[attribute.flagsAt] ?? 0) & EXTENDED_LENGTH) !== 0;
    fields.push({ at: attribute.flagsAt + 2, width: extended ? 2 : 1, what: 'attribute length' });
    if (attribute.typeCode === AS_PATH) {
      const valueStart = attribute.flagsAt + (extended ? 4 : 3);
      let pos = valueStart;
      while (pos + 2 <= attribute.end) {
        fields.push({ at: pos + 1, width: 1, what: 'AS_PATH segment count' });
        // Either width; 4-octet ASNs are the common case on the sessions we fuzz.
        pos += 2 + (bytes[pos + 1] ?? 0) * 4;
      }
    }
  }
  prefixFields(bytes, attributesEnd, span.end, fields);
}

function prefixFields(bytes: Uint8Array, start: number, end: number, fields: LengthField[]): void {
  let pos = start;
  while (pos < end) {
    fields.push({ at: pos, width: 1, what: 'prefix length' });
    pos += 1 + (((bytes[pos] ?? 0) + 7) >> 3);
  }
}

function openFields(bytes: Uint8Array, span: Span, fields: LengthField[]): void {
  const optLengthAt = span.start + 28;
  if (optLengthAt >= span.end) return;
  fields.push({ at: optLengthAt, width: 1, what: 'optional parameters length' });
  let pos = optLengthAt + 1;
  while (pos + 2 <= span.end) {
    fields.push({ at: pos + 1, width: 1, what: 'optional parameter length' });
    const end = Math.min(pos + 2 + (bytes[pos + 1] ?? 0), span.end);
    if (bytes[pos] === PARAMETER_CAPABILITIES) {
      let cap = pos + 2;
      while (cap + 2 <= end) {
        fields.push({ at: cap + 1, width: 1, what: 'capability length' });
        cap += 2 + (bytes[cap + 1] ?? 0);
      }
    }
    pos = end;
  }
}

/** The path attributes between `start` and `end`, as far as their headers fit. */
export function attributeSpansIn(bytes: Uint8Array, start: number, end: number): AttributeSpan[] {
  const spans: AttributeSpan[] = [];
  let pos = start;
  while (pos < end) {
    const flags = bytes[pos] ?? 0;
    const headerLength = flags & EXTENDED_LENGTH ? 4 : 3;
    if (pos + headerLength > end) break;
    const valueLength = headerLength === 4 ? readU16(bytes, pos + 2) : (bytes[pos + 2] ?? 0);
    const attributeEnd = Math.min(pos + headerLength + valueLength, end);
    spans.push({ start: pos, end: attributeEnd, flagsAt: pos, typeCode: bytes[pos + 1] ?? 0 });
    pos = attributeEnd;
  }
  return spans;
}

/** Every attribute of every UPDATE in the stream (absolute offsets). */
export function attributeSpans(stream: Uint8Array): AttributeSpan[] {
  const spans: AttributeSpan[] = [];
  for (const span of messageSpans(stream)) {
    if (stream[span.start + 18] !== TYPE_UPDATE || span.end - span.start < 23) continue;
    const withdrawnEnd = span.start + 21 + readU16(stream, span.start + 19);
    if (withdrawnEnd + 2 > span.end) continue;
    const attributesEnd = Math.min(withdrawnEnd + 2 + readU16(stream, withdrawnEnd), span.end);
    spans.push(...attributeSpansIn(stream, withdrawnEnd + 2, attributesEnd));
  }
  return spans;
}

// --- well-formed UPDATEs and OPENs, taken apart and put back together -------------------------

/** An UPDATE's fields; each attribute whole (flags, type, length, value). */
export interface UpdateParts {
  readonly withdrawn: Uint8Array;
  readonly attributes: readonly Uint8Array[];
  readonly nlri: Uint8Array;
}

/** The parts of one UPDATE whose lengths all agree; undefined for anything else. */
export function splitUpdate(message: Uint8Array): UpdateParts | undefined {
  if (message.length < 23 || message[18] !== TYPE_UPDATE || readU16(message, 16) !== message.length) {
    return undefined;
  }
  const withdrawnEnd = 21 + readU16(message, 19);
  if (withdrawnEnd + 2 > message.length) return undefined;
  const attributesStart = withdrawnEnd + 2;
  const attributesEnd = attributesStart + readU16(message, withdrawnEnd);
  if (attributesEnd > message.length) return undefined;
  const attributes: Uint8Array[] = [];
  let pos = attributesStart;
  while (pos < attributesEnd) {
    const flags = message[pos] ?? 0;
    const headerLength = flags & EXTENDED_LENGTH ? 4 : 3;
    if (pos + headerLength > attributesEnd) return undefined;
    const valueLength = headerLength === 4 ? readU16(message, pos + 2) : (message[pos + 2] ?? 0);
    const end = pos + headerLength + valueLength;
    if (end > attributesEnd) return undefined;
    attributes.push(message.slice(pos, end));
    pos = end;
  }
  return {
    withdrawn: message.slice(21, withdrawnEnd),
    attributes,
    nlri: message.slice(attributesEnd),
  };
}

/** An UPDATE from parts, every length written to match (the message length wraps past 65535). */
export function joinUpdate(parts: UpdateParts): Uint8Array {
  const attributesLength = parts.attributes.reduce((sum, attribute) => sum + attribute.length, 0);
  const length = HEADER_LENGTH + 2 + parts.withdrawn.length + 2 + attributesLength + parts.nlri.length;
  const out = new Uint8Array(length);
  out.fill(0xff, 0, 16);
  writeU16(out, 16, length & 0xffff);
  out[18] = TYPE_UPDATE;
  writeU16(out, 19, parts.withdrawn.length & 0xffff);
  out.set(parts.withdrawn, 21);
  let pos = 21 + parts.withdrawn.length;
  writeU16(out, pos, attributesLength & 0xffff);
  pos += 2;
  for (const attribute of parts.attributes) {
    out.set(attribute, pos);
    pos += attribute.length;
  }
  out.set(parts.nlri, pos);
  return out;
}

/** One path attribute with the length field its flags call for. */
export function buildAttribute(flags: number, typeCode: number, value: Uint8Array): Uint8Array {
  const extended = (flags & EXTENDED_LENGTH) !== 0;
  const headerLength = extended ? 4 : 3;
  const out = new Uint8Array(headerLength + value.length);
  out[0] = flags & 0xff;
  out[1] = typeCode & 0xff;
  if (extended) writeU16(out, 2, value.length & 0xffff);
  else out[2] = value.length & 0xff;
  out.set(value, headerLength);
  return out;
}

/** Flags, type code and value of one whole attribute (as splitUpdate gives them). */
export function attributeFields(attribute: Uint8Array): {
  flags: number;
  typeCode: number;
  value: Uint8Array;
} {
  const flags = attribute[0] ?? 0;
  const headerLength = flags & EXTENDED_LENGTH ? 4 : 3;
  return { flags, typeCode: attribute[1] ?? 0, value: attribute.slice(headerLength) };
}

/** An OPEN's fixed fields (version to BGP Identifier, 9 octets) and its whole Optional Parameters. */
export interface OpenParts {
  readonly fixed: Uint8Array;
  readonly parameters: readonly Uint8Array[];
}

export function splitOpen(message: Uint8Array): OpenParts | undefined {
  if (message.length < 29 || message[18] !== TYPE_OPEN || readU16(message, 16) !== message.length) {
    return undefined;
  }
  if (29 + (message[28] ?? 0) !== message.length) return undefined;
  const parameters: Uint8Array[] = [];
  let pos = 29;
  while (pos < message.length) {
    if (pos + 2 > message.length) return undefined;
    const end = pos + 2 + (message[pos + 1] ?? 0);
    if (end > message.length) return undefined;
    parameters.push(message.slice(pos, end));
    pos = end;
  }
  return { fixed: message.slice(19, 28), parameters };
}

/** An OPEN from parts; the Optional Parameters Length wraps past 255 (a mutation may want that). */
export function joinOpen(parts: OpenParts): Uint8Array {
  const parametersLength = parts.parameters.reduce((sum, parameter) => sum + parameter.length, 0);
  const length = 29 + parametersLength;
  const out = new Uint8Array(length);
  out.fill(0xff, 0, 16);
  writeU16(out, 16, length & 0xffff);
  out[18] = TYPE_OPEN;
  out.set(parts.fixed.subarray(0, 9), 19);
  out[28] = parametersLength & 0xff;
  let pos = 29;
  for (const parameter of parts.parameters) {
    out.set(parameter, pos);
    pos += parameter.length;
  }
  return out;
}
