/**
 * The Azure-side BGP agent of the live lab, run inside an instance's network
 * namespace: `node --import tsx src/live/bgp-agent-main.ts <config.json>`.
 * It speaks BGP on the wire with the project's own speaker, prints one JSON line
 * per event on stdout, with its wall-clock time (the lab controller reads them;
 * `keepaliveSent` and `heard` lines say when each KEEPALIVE left and when messages
 * arrived, so the lab knows how full each side's hold timer is; `notificationSent` lines
 * carry each NOTIFICATION's bytes as written, `down` lines the reason with the
 * NOTIFICATION's name and data, `rejected` lines a refused connection and why), and on SIGTERM sends
 * Cease (administrative shutdown) to every neighbour before it exits — planned
 * maintenance. SIGKILL is the unplanned kind: nobody is told.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeNotification } from '../protocols/bgp/codec/notification.ts';
import type { BgpUpdate } from '../protocols/bgp/messages.ts';
import { LiveBgpSpeaker, type LiveEvent } from './bgp-runtime.ts';

const prefix = z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
const address = z.string().regex(/^\d+\.\d+\.\d+\.\d+$/);
const agentConfigSchema = z.strictObject({
  localAddress: address,
  localAsn: z.number().int().min(1).max(4294967294),
  neighbors: z.array(
    z.strictObject({
      /** The instance's BGP address this neighbour peers with, when not `localAddress` (a custom APIPA one). */
      localAddress: address.optional(),
      remoteAddress: address,
      remoteAsn: z.number().int().min(1).max(4294967294),
      holdTimeSec: z.number().int().min(0).max(65535),
      keepaliveSec: z.number().int().min(0).max(21845).optional(),
      connectRetrySec: z.number().int().min(1).max(65535).optional(),
      initiate: z.boolean().default(true),
      maxPrefixes: z.number().int().min(0).optional(),
      advertise: z.array(prefix).default([]),
    }),
  ),
});
export type AgentConfig = z.input<typeof agentConfigSchema>;

function main(): void {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: bgp-agent-main.ts <config.json>\n');
    process.exit(2);
  }
  const parsed = agentConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    process.stderr.write(
      `bad agent config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
    );
    process.exit(2);
  }
  const config = parsed.data;
  const started = performance.now();
  const print = (event: LiveEvent) => {
    const now = performance.now();
    // epochMs to the microsecond (time origin + monotonic time), to line events up with other clocks.
    const at = { atMs: Math.round(now - started), epochMs: performance.timeOrigin + now };
    process.stdout.write(`${JSON.stringify({ ...at, ...describe(event) })}\n`);
  };
  // One speaker per local address: an instance peers from its default BGP address and from each
  // custom (APIPA) one a link connection names.
  const speakers = new Map<string, LiveBgpSpeaker>();
  const speakerFor = (local: string): LiveBgpSpeaker => {
    let speaker = speakers.get(local);
    if (!speaker) {
      const line = (kind: string) => (neighbor: string) =>
        process.stdout.write(
          `${JSON.stringify({ atMs: Math.round(performance.now() - started), kind, neighbor, epochMs: Date.now() })}\n`,
        );
      const notificationSent = (neighbor: string, bytes: Uint8Array) =>
        process.stdout.write(
          `${JSON.stringify({ atMs: Math.round(performance.now() - started), kind: 'notificationSent', neighbor, bytes: hex(bytes), epochMs: Date.now() })}\n`,
        );
      speaker = new LiveBgpSpeaker(local, print, line('keepaliveSent'), line('heard'), notificationSent);
      speakers.set(local, speaker);
    }
    return speaker;
  };
  speakerFor(config.localAddress);
  for (const n of config.neighbors) {
    const local = n.localAddress ?? config.localAddress;
    const advertisement: BgpUpdate = {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [config.localAsn] }],
        nextHop: local,
      },
      nlri: n.advertise,
    };
    speakerFor(local).addNeighbor({
      remoteAddress: n.remoteAddress,
      config: {
        localAsn: config.localAsn,
        localBgpId: config.localAddress,
        peerAsn: n.remoteAsn,
        holdTimeSec: n.holdTimeSec,
        ...(n.keepaliveSec !== undefined ? { fixedKeepaliveSec: n.keepaliveSec } : {}),
        ...(n.connectRetrySec !== undefined ? { connectRetrySec: n.connectRetrySec } : {}),
        initiate: n.initiate,
        accept: true,
        ...(n.maxPrefixes !== undefined ? { maxPrefixes: n.maxPrefixes } : {}),
      },
      ...(n.advertise.length > 0 ? { advertisement } : {}),
    });
  }
  process.once('SIGTERM', () => {
    void Promise.all([...speakers.values()].map((speaker) => speaker.stop())).then(() => {
      // Let the Cease NOTIFICATIONs and FINs leave before the process does.
      setTimeout(() => process.exit(0), 200);
    });
  });
  for (const [local, speaker] of speakers) {
    speaker.start().then(
      () => process.stdout.write(`${JSON.stringify({ atMs: 0, kind: 'listening', address: local })}\n`),
      (error: Error) => {
        process.stderr.write(`cannot listen on ${local}:179: ${error.message}\n`);
        process.exit(1);
      },
    );
  }
}

/** Events as plain JSON (bytes and notifications flattened to readable fields). */
function describe(event: LiveEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'update':
      return {
        kind: 'update',
        neighbor: event.neighbor,
        nlri: event.update.nlri,
        withdrawn: event.update.withdrawn,
        asPath: event.update.attributes.asPath?.flatMap((s) => s.asns) ?? [],
      };
    case 'down':
      return {
        kind: 'down',
        neighbor: event.neighbor,
        reason: event.reason.kind,
        ...(event.reason.kind === 'transportClosed'
          ? {}
          : {
              code: event.reason.notification.code,
              subcode: event.reason.notification.subcode,
              // RFC 4486 data (Cease/1: AFI, SAFI, the upper bound), hex; the name as the simulator traces it.
              data: hex(event.reason.notification.data),
              notification: describeNotification(event.reason.notification),
            }),
      };
    case 'established':
      return {
        kind: 'established',
        neighbor: event.neighbor,
        holdTimeSec: event.negotiated.holdTimeSec,
        keepaliveSec: event.negotiated.keepaliveSec,
      };
    case 'state':
      return { kind: 'state', neighbor: event.neighbor, conn: event.conn, from: event.from, to: event.to };
    case 'rejected':
      return { kind: 'rejected', neighbor: event.neighbor, reason: event.reason };
    default:
      return { kind: event.kind, neighbor: event.neighbor };
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

main();
