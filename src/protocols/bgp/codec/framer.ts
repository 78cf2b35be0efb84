import { HEADER_LENGTH } from '../messages.ts';
import { checkHeader, isFailure } from './header.ts';
import type { DecodeFailure } from './outcome.ts';

export interface FramedMessages {
  /** Whole messages (header included), in arrival order, each a fresh copy. */
  readonly messages: Uint8Array[];
  /** Set once the stream is unusable; RFC 4271 §6.1 says to send this NOTIFICATION and close. */
  readonly error?: DecodeFailure;
}

/**
 * Cuts a TCP byte stream into BGP messages (RFC 4271 §4.1: the 2-octet length
 * in each header is the only delimiter). Header errors are found as soon as a
 * header is complete, without waiting for the body: marker (1/1), length outside
 * 19..4096 (1/2, data = the length), unknown type (1/3, data = the type). After
 * one, nothing more can be trusted, so the framer stays failed and keeps
 * returning that error.
 */
/** One maximum-size message (RFC 4271 §4.1): all a framer keeps between reads. */
const KEPT_CAPACITY = 4096;
const EMPTY = new Uint8Array(0);

export class MessageFramer {
  /**
   * Allocated on the first octet (a connection attempt to a dead peer costs none), grown
   * to fit a large read, and given back once drained, so a framer holds at most one
   * message's worth between reads whatever the size of the chunks it was handed.
   */
  private buffer: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;
  private failed: DecodeFailure | undefined;

  /** Octets the framer holds now, whether in use or not (for the tests that watch it stay bounded). */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Octets received but not yet part of a whole message. */
  get pendingOctets(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): FramedMessages {
    if (this.failed) return { messages: [], error: this.failed };
    this.append(chunk);
    const messages: Uint8Array[] = [];
    while (this.end - this.start >= HEADER_LENGTH) {
      const header = checkHeader(this.buffer.subarray(this.start, this.start + HEADER_LENGTH));
      if (isFailure(header)) {
        this.failed = header;
        return { messages, error: header };
      }
      if (this.end - this.start < header.length) break;
      messages.push(this.buffer.slice(this.start, this.start + header.length));
      this.start += header.length;
    }
    const pending = this.end - this.start;
    if (pending === 0) {
      this.start = 0;
      this.end = 0;
      if (this.buffer.length > KEPT_CAPACITY) this.buffer = EMPTY;
    } else if (this.buffer.length > KEPT_CAPACITY) {
      // What is left is less than one message (else it would have been cut out): keep only that.
      const kept = new Uint8Array(KEPT_CAPACITY);
      kept.set(this.buffer.subarray(this.start, this.end));
      this.buffer = kept;
      this.start = 0;
      this.end = pending;
    }
    return { messages };
  }

  private append(chunk: Uint8Array): void {
    const pending = this.end - this.start;
    if (this.end + chunk.length > this.buffer.length) {
      if (pending + chunk.length <= this.buffer.length) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(this.buffer.length * 2, pending + chunk.length, KEPT_CAPACITY));
        grown.set(this.buffer.subarray(this.start, this.end));
        this.buffer = grown;
      }
      this.start = 0;
      this.end = pending;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }
}
