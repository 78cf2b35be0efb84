import { describe, expect, it } from 'vitest';
import { encodeMessage, MessageFramer } from '../../src/protocols/bgp/codec.ts';
import { bytesHex, hexBytes, SCAPY_OPEN_THEN_KEEPALIVE } from './vectors/published.ts';

const MARKER = 'ff'.repeat(16);
const KEEPALIVE = encodeMessage({ type: 'keepalive' }, { fourOctetAs: true });

describe('MessageFramer: TCP stream reassembly (RFC 4271 §4.1)', () => {
  it('a captured OPEN + KEEPALIVE fed one octet at a time comes out as the same two messages', () => {
    const stream = hexBytes(SCAPY_OPEN_THEN_KEEPALIVE.hex);
    const framer = new MessageFramer();
    const out: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      const { messages, error } = framer.push(stream.subarray(i, i + 1));
      expect(error).toBeUndefined();
      out.push(...messages.map(bytesHex));
      // Each message appears exactly when its last octet arrives.
      if (i === 60) expect(out).toHaveLength(1);
    }
    expect(out).toEqual([bytesHex(stream.subarray(0, 61)), bytesHex(stream.subarray(61))]);
    expect(framer.pendingOctets).toBe(0);
  });

  it('hands out copies, so later pushes cannot change a message already returned', () => {
    const framer = new MessageFramer();
    const chunk = KEEPALIVE.slice();
    const [first] = framer.push(chunk).messages;
    chunk.fill(0);
    framer.push(KEEPALIVE);
    expect(first && bytesHex(first)).toBe(bytesHex(KEEPALIVE));
  });

  it('one large chunk of 500 KEEPALIVEs yields 500 messages', () => {
    const stream = new Uint8Array(KEEPALIVE.length * 500);
    for (let i = 0; i < 500; i++) stream.set(KEEPALIVE, i * KEEPALIVE.length);
    const { messages, error } = new MessageFramer().push(stream);
    expect(error).toBeUndefined();
    expect(messages).toHaveLength(500);
  });

  it('holds nothing before the first octet, and gives a large read back once drained (at most 4,096 octets kept)', () => {
    const framer = new MessageFramer();
    expect(framer.capacity).toBe(0);
    // A 64 KiB read (Node's socket reads) ending in half a message.
    const stream = new Uint8Array(KEEPALIVE.length * 3500 + 10);
    for (let i = 0; i < 3500; i++) stream.set(KEEPALIVE, i * KEEPALIVE.length);
    stream.set(KEEPALIVE.subarray(0, 10), KEEPALIVE.length * 3500);
    expect(framer.push(stream).messages).toHaveLength(3500);
    expect(framer.pendingOctets).toBe(10);
    expect(framer.capacity).toBe(4096);
    // The rest of the message drains it.
    expect(framer.push(KEEPALIVE.subarray(10)).messages).toHaveLength(1);
    expect(framer.pendingOctets).toBe(0);
    expect(framer.capacity).toBeLessThanOrEqual(4096);
    // Small reads afterwards keep one message's worth.
    for (let i = 0; i < 100; i++) framer.push(KEEPALIVE);
    expect(framer.capacity).toBeLessThanOrEqual(4096);
  });

  it('a bad marker is Connection Not Synchronized (1/1), and the framer stays failed', () => {
    const framer = new MessageFramer();
    const bad = KEEPALIVE.slice();
    bad[0] = 0;
    const first = framer.push(bad);
    expect(first.error?.notification).toMatchObject({ code: 1, subcode: 1 });
    const later = framer.push(KEEPALIVE);
    expect(later.messages).toEqual([]);
    expect(later.error).toBe(first.error);
  });

  it('a length outside 19..4096 is Bad Message Length (1/2) with the length as data, before any body arrives', () => {
    for (const length of ['0010', '1001', '0000', 'ffff']) {
      const { error } = new MessageFramer().push(hexBytes(`${MARKER}${length}02`));
      expect(error?.notification.code).toBe(1);
      expect(error?.notification.subcode).toBe(2);
      expect(error && bytesHex(error.notification.data)).toBe(length);
    }
  });

  it('an unknown type is Bad Message Type (1/3) with the type as data', () => {
    const { error } = new MessageFramer().push(hexBytes(`${MARKER}001307`));
    expect(error?.notification).toMatchObject({ code: 1, subcode: 3 });
    expect(error && bytesHex(error.notification.data)).toBe('07');
  });

  it('messages completed before a bad header are still delivered with the error', () => {
    const stream = hexBytes(`${bytesHex(KEEPALIVE)}${bytesHex(KEEPALIVE)}${MARKER}001300`);
    const { messages, error } = new MessageFramer().push(stream);
    expect(messages).toHaveLength(2);
    expect(error?.notification).toMatchObject({ code: 1, subcode: 3 });
  });

  it('waits for a whole header before judging it', () => {
    const framer = new MessageFramer();
    expect(framer.push(hexBytes(`${MARKER}00`))).toEqual({ messages: [] });
    expect(framer.pendingOctets).toBe(17);
  });
});
