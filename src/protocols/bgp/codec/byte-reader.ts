/**
 * Big-endian reads for the decoders (RFC 4271 §4: network byte order). These do
 * no bounds checking of their own: every caller has already checked that the
 * field lies inside the length it was given, which is what keeps the decoder
 * from ever throwing on peer bytes.
 */
export function readU16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

export function readU32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] ?? 0) << 24) |
      ((bytes[at + 1] ?? 0) << 16) |
      ((bytes[at + 2] ?? 0) << 8) |
      (bytes[at + 3] ?? 0)) >>>
    0
  );
}

/** A 2-octet big-endian value as NOTIFICATION data (RFC 4271 §6.1, §6.2 carry lengths and versions so). */
export function u16Bytes(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}
