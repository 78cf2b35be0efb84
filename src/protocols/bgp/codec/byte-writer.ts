/**
 * A growable big-endian byte sink for the encoders (RFC 4271 §4: every BGP field
 * is in network byte order). Out-of-range values throw: the encoder is only ever
 * handed our own data, so a value that does not fit its field is a bug upstream,
 * never peer input.
 */
export class ByteWriter {
  private buffer: Uint8Array;
  private size = 0;

  constructor(initialCapacity = 64) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.size;
  }

  u8(value: number, field = 'octet'): void {
    checkUnsigned(value, 0xff, field);
    this.ensure(1);
    this.buffer[this.size++] = value;
  }

  u16(value: number, field = '2-octet field'): void {
    checkUnsigned(value, 0xffff, field);
    this.ensure(2);
    this.buffer[this.size++] = value >>> 8;
    this.buffer[this.size++] = value & 0xff;
  }

  u32(value: number, field = '4-octet field'): void {
    checkUnsigned(value, 0xffffffff, field);
    this.ensure(4);
    this.buffer[this.size++] = value >>> 24;
    this.buffer[this.size++] = (value >>> 16) & 0xff;
    this.buffer[this.size++] = (value >>> 8) & 0xff;
    this.buffer[this.size++] = value & 0xff;
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.size);
    this.size += value.length;
  }

  /** Rewrites a 1-octet field written earlier (a length known only afterwards). */
  patchU8(offset: number, value: number, field: string): void {
    checkUnsigned(value, 0xff, field);
    this.buffer[offset] = value;
  }

  patchU16(offset: number, value: number, field: string): void {
    checkUnsigned(value, 0xffff, field);
    this.buffer[offset] = value >>> 8;
    this.buffer[offset + 1] = value & 0xff;
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.size);
  }

  private ensure(extra: number): void {
    if (this.size + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.size + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.size));
    this.buffer = grown;
  }
}

function checkUnsigned(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`BGP encode: ${field} must be an integer in 0..${max}, got ${value}`);
  }
}
