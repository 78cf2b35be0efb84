import { createServer, type Server, Socket } from 'node:net';
import type { BgpUpdate } from '../protocols/bgp/messages.ts';
import { packAnnouncement } from '../protocols/bgp/pack.ts';
import type { ConnId, PeerConfig, PeerTimer } from '../protocols/bgp/peer.ts';
import { BgpWire, type WireInput, type WireOutput } from '../protocols/bgp/wire.ts';
import { RealTimers } from './real-timers.ts';

/**
 * The project's BGP speaker on real TCP (port 179) with real timers: the live
 * lab's runtime around the same sans-IO core the simulator drives. One
 * `LiveBgpSpeaker` listens on a local address and owns one neighbour per remote
 * address; each neighbour is a `BgpWire` (codec + FSM + collision handling).
 */
export type LiveEvent = Exclude<WireOutput, { kind: 'armTimer' | 'cancelTimer' | 'send' }> & {
  readonly neighbor: string;
};

export interface NeighborOptions {
  readonly remoteAddress: string;
  readonly config: PeerConfig;
  /** Announced as soon as the session is Established. */
  readonly advertisement?: BgpUpdate;
}

const BGP_PORT = 179;

class LiveNeighbor {
  readonly wire: BgpWire;
  private readonly timers = new RealTimers<PeerTimer>((timer) => this.deliver({ kind: 'timer', timer }));
  private readonly sockets = new Map<ConnId, Socket>();
  private pendingAccept: Socket | undefined;
  private stopped = false;

  constructor(
    private readonly speaker: LiveBgpSpeaker,
    readonly options: NeighborOptions,
  ) {
    this.wire = new BgpWire(options.config);
  }

  deliver(input: WireInput): void {
    if (this.stopped && input.kind !== 'stop') return;
    const outputs = this.wire.handle(Math.round(performance.now()), input);
    for (const output of outputs) this.carryOut(output);
  }

  accept(socket: Socket): void {
    this.pendingAccept = socket;
    this.deliver({ kind: 'tcpAccepted' });
    if (this.pendingAccept === socket) {
      // Neither accepted nor rejected (should not happen): do not leave a socket dangling.
      socket.destroy();
    }
    this.pendingAccept = undefined;
  }

  shutdown(): void {
    this.deliver({ kind: 'stop' });
    this.stopped = true;
    this.timers.clearAll();
    // Give the Cease NOTIFICATION a moment on the wire before the sockets go.
    for (const socket of this.sockets.values()) socket.end();
  }

  private carryOut(output: WireOutput): void {
    switch (output.kind) {
      case 'armTimer':
      case 'cancelTimer':
        this.timers.apply(output);
        return;
      case 'connect':
        this.dial(output.conn);
        return;
      case 'accepted':
        if (this.pendingAccept) this.bind(output.conn, this.pendingAccept);
        this.pendingAccept = undefined;
        this.emit(output);
        return;
      case 'rejected':
        this.pendingAccept?.destroy();
        this.pendingAccept = undefined;
        this.emit(output);
        return;
      case 'send':
        this.sockets.get(output.conn)?.write(output.bytes);
        // A KEEPALIVE is the 19-byte header alone, type 4 (RFC 4271 §4.4).
        if (output.bytes.length === 19 && output.bytes[18] === 4) {
          this.speaker.onKeepaliveSent?.(this.options.remoteAddress);
        } else if (output.bytes[18] === 3) {
          // A NOTIFICATION (type 3): the exact bytes that went on the wire, for the lab to show.
          this.speaker.onNotificationSent?.(this.options.remoteAddress, output.bytes);
        }
        return;
      case 'close': {
        const socket = this.sockets.get(output.conn);
        this.sockets.delete(output.conn);
        socket?.end();
        return;
      }
      default:
        this.emit(output);
    }
  }

  private emit(output: Exclude<WireOutput, { kind: 'armTimer' | 'cancelTimer' | 'send' }>): void {
    this.speaker.onEvent({ ...output, neighbor: this.options.remoteAddress });
    if (output.kind === 'established' && this.options.advertisement) {
      // RFC 4271 §4.3: at most 4,096 octets per UPDATE, so a big table (4,000 prefixes) goes
      // out as several, as the simulator's world sends it; one message would not encode.
      const { config } = this.options;
      const ctx = {
        fourOctetAs: output.negotiated.fourOctetAs,
        externalPeer: config.peerAsn !== config.localAsn,
      };
      for (const update of packAnnouncement(this.options.advertisement, ctx)) {
        this.deliver({ kind: 'announce', update });
      }
    }
  }

  private dial(conn: ConnId): void {
    const socket = new Socket();
    let connected = false;
    socket.setNoDelay(true);
    socket.once('connect', () => {
      connected = true;
      this.deliver({ kind: 'tcpConnected', conn });
    });
    socket.once('error', () => {
      // 'close' follows and reports it.
    });
    socket.once('close', () => {
      if (!this.sockets.has(conn)) return;
      this.sockets.delete(conn);
      this.deliver(connected ? { kind: 'tcpClosed', conn } : { kind: 'tcpConnectFailed', conn });
    });
    const framer = new MessageFramer();
    socket.on('data', (bytes: Buffer) => {
      if (this.sockets.get(conn) !== socket) return;
      if (framer.push(bytes) > 0) this.speaker.onMessageHeard?.(this.options.remoteAddress);
      this.deliver({ kind: 'bytes', conn, bytes: new Uint8Array(bytes) });
    });
    this.sockets.set(conn, socket);
    socket.connect({
      host: this.options.remoteAddress,
      port: BGP_PORT,
      localAddress: this.speaker.localAddress,
    });
  }

  private bind(conn: ConnId, socket: Socket): void {
    socket.setNoDelay(true);
    this.sockets.set(conn, socket);
    const framer = new MessageFramer();
    socket.on('data', (bytes: Buffer) => {
      if (this.sockets.get(conn) !== socket) return;
      if (framer.push(bytes) > 0) this.speaker.onMessageHeard?.(this.options.remoteAddress);
      this.deliver({ kind: 'bytes', conn, bytes: new Uint8Array(bytes) });
    });
    socket.once('error', () => {});
    socket.once('close', () => {
      if (this.sockets.get(conn) !== socket) return;
      this.sockets.delete(conn);
      this.deliver({ kind: 'tcpClosed', conn });
    });
  }
}

export class LiveBgpSpeaker {
  private server: Server | undefined;
  private readonly neighbors = new Map<string, LiveNeighbor>();

  constructor(
    readonly localAddress: string,
    readonly onEvent: (event: LiveEvent) => void,
    /** Called as each KEEPALIVE leaves (the lab times failures against the peer's hold timer). */
    readonly onKeepaliveSent?: (remoteAddress: string) => void,
    /** Called when complete messages arrive from a neighbour (each restarts our hold timer). */
    readonly onMessageHeard?: (remoteAddress: string) => void,
    /** Called with each NOTIFICATION's bytes as they are written to the neighbour's socket. */
    readonly onNotificationSent?: (remoteAddress: string, bytes: Uint8Array) => void,
  ) {}

  addNeighbor(options: NeighborOptions): void {
    this.neighbors.set(options.remoteAddress, new LiveNeighbor(this, options));
  }

  /** Listens on port 179 and starts every neighbour (each dials out if its config allows). */
  async start(): Promise<void> {
    const server = createServer((socket) => {
      const neighbor = socket.remoteAddress
        ? this.neighbors.get(stripV4Mapped(socket.remoteAddress))
        : undefined;
      if (!neighbor) {
        // RFC 4271 §8.2.1.3: a connection from an unconfigured address is refused.
        socket.destroy();
        return;
      }
      neighbor.accept(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.localAddress, port: BGP_PORT }, () => resolve());
    });
    this.server = server;
    for (const neighbor of this.neighbors.values()) neighbor.deliver({ kind: 'start' });
  }

  announce(remoteAddress: string, update: BgpUpdate): void {
    this.neighbors.get(remoteAddress)?.deliver({ kind: 'announce', update });
  }

  /** Graceful: Cease / administrative shutdown to every neighbour, then close. */
  async stop(): Promise<void> {
    for (const neighbor of this.neighbors.values()) neighbor.shutdown();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Counts the complete BGP messages in a byte stream (19-byte header: marker, length,
 * type; RFC 4271 §4.1), for the lab's hold-timer bookkeeping only — the wire decodes.
 */
class MessageFramer {
  private pending: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array): number {
    const buffer = new Uint8Array(this.pending.length + bytes.length);
    buffer.set(this.pending);
    buffer.set(bytes, this.pending.length);
    let offset = 0;
    let messages = 0;
    while (buffer.length - offset >= 19) {
      const length = ((buffer[offset + 16] as number) << 8) | (buffer[offset + 17] as number);
      // Not BGP framing (the wire will say so and close): stop counting.
      if (length < 19) {
        this.pending = new Uint8Array(0);
        return messages;
      }
      if (buffer.length - offset < length) break;
      messages++;
      offset += length;
    }
    this.pending = buffer.slice(offset);
    return messages;
  }
}

function stripV4Mapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
