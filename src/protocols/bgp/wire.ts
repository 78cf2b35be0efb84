import type { Core } from '../core.ts';
import { assertNever } from '../core.ts';
import { decodeMessage, encodeMessage, MessageFramer } from './codec.ts';
import type { BgpMessage, CodecContext } from './messages.ts';
import type { ConnId, PeerConfig, PeerInput, PeerOutput } from './peer.ts';
import { BgpPeer } from './peer.ts';

/**
 * The thin layer between a TCP byte stream and a BgpPeer: frames and decodes
 * what arrives, encodes what the peer sends, with the codec context its FSM
 * negotiated (RFC 6793: AS_PATH is 2- or 4-octet per session). The peer itself
 * never sees a byte (GoBGP's split); a decode failure reaches its FSM as the
 * `decodeError` input, so the NOTIFICATION RFC 4271 §6 / RFC 7606 prescribe goes
 * out and the connection closes.
 */

export type WireInput =
  | Exclude<PeerInput, { readonly kind: 'message' } | { readonly kind: 'decodeError' }>
  /** A chunk of the TCP stream on `conn`, cut anywhere. */
  | { readonly kind: 'bytes'; readonly conn: ConnId; readonly bytes: Uint8Array };

export type WireOutput =
  | Exclude<PeerOutput, { readonly kind: 'send' }>
  /** Write `bytes` to `conn`; `msg` is what they encode, for traces and counters. */
  | { readonly kind: 'send'; readonly conn: ConnId; readonly bytes: Uint8Array; readonly msg: BgpMessage }
  /** A message received and accepted with RFC 7606 repairs (attribute discard, treat-as-withdraw). */
  | { readonly kind: 'decodeWarning'; readonly conn: ConnId; readonly warnings: readonly string[] };

export class BgpWire implements Core<WireInput, WireOutput> {
  readonly peer: BgpPeer;
  private readonly externalPeer: boolean;
  /** One framer per connection with a live TCP stream; gone once the peer closes it. */
  private readonly framers = new Map<ConnId, MessageFramer>();

  constructor(config: PeerConfig) {
    this.peer = new BgpPeer(config);
    this.externalPeer = config.peerAsn !== config.localAsn;
  }

  handle(nowMs: number, input: WireInput): WireOutput[] {
    if (input.kind === 'bytes') return this.receive(nowMs, input.conn, input.bytes);
    return this.translate(this.peer.handle(nowMs, input));
  }

  private receive(nowMs: number, conn: ConnId, bytes: Uint8Array): WireOutput[] {
    const framer = this.framers.get(conn);
    // Bytes for a connection we already closed are late arrivals; nobody is reading them.
    if (!framer) return [];
    const out: WireOutput[] = [];
    const framed = framer.push(bytes);
    for (const raw of framed.messages) {
      // A message before this one may have closed the connection; the rest is unread.
      if (this.framers.get(conn) !== framer) return out;
      // Decode each message only now: a KEEPALIVE just delivered may have settled the
      // context (4-octet AS) the next UPDATE in the same chunk needs.
      const outcome = decodeMessage(raw, this.contextOf(conn));
      if (outcome.ok) {
        if (outcome.warnings.length > 0)
          out.push({ kind: 'decodeWarning', conn, warnings: outcome.warnings });
        out.push(...this.translate(this.peer.handle(nowMs, { kind: 'message', conn, msg: outcome.message })));
      } else {
        out.push(
          ...this.translate(
            this.peer.handle(nowMs, { kind: 'decodeError', conn, notification: outcome.notification }),
          ),
        );
      }
    }
    if (framed.error && this.framers.get(conn) === framer) {
      // RFC 4271 §6.1: a bad header leaves the stream unsynchronised; the FSM sends the error and closes.
      out.push(
        ...this.translate(
          this.peer.handle(nowMs, { kind: 'decodeError', conn, notification: framed.error.notification }),
        ),
      );
    }
    return out;
  }

  private contextOf(conn: ConnId): CodecContext {
    const negotiated = this.peer.negotiatedOf(conn);
    return { fourOctetAs: negotiated?.fourOctetAs ?? false, externalPeer: this.externalPeer };
  }

  private translate(outputs: readonly PeerOutput[]): WireOutput[] {
    const out: WireOutput[] = [];
    for (const output of outputs) {
      switch (output.kind) {
        case 'send':
          out.push({
            kind: 'send',
            conn: output.conn,
            bytes: encodeMessage(output.msg, this.contextOf(output.conn)),
            msg: output.msg,
          });
          break;
        case 'connect':
        case 'accepted':
          this.framers.set(output.conn, new MessageFramer());
          out.push(output);
          break;
        case 'close':
          this.framers.delete(output.conn);
          out.push(output);
          break;
        case 'rejected':
        case 'armTimer':
        case 'cancelTimer':
        case 'state':
        case 'established':
        case 'update':
        case 'routeRefresh':
        case 'down':
          out.push(output);
          break;
        default:
          assertNever(output, 'BGP peer output');
      }
    }
    return out;
  }
}
