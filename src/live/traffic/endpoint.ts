/**
 * A traffic endpoint, run inside a host namespace:
 *   ip netns exec <ns> node --import tsx src/live/traffic/endpoint.ts <config.json>
 *
 * It receives probes on one UDP port and sends its own flows, each from its own source
 * port (so every flow has its own 5-tuple and ECMP hashes flows, not packets).
 * Control is one JSON object per line: it prints {"event":"ready"} once its sockets are
 * bound, starts sending on {"cmd":"start","t0":<epoch ms>} (t0 may be in the future),
 * and on {"cmd":"stop"} stops sending, keeps receiving for drainMs, prints
 * {"event":"result",…} and exits.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { FlowReceiver, type ReceiverFlowSummary, type SenderFlowSummary } from './analysis.ts';
import { decodeProbe, encodeProbe, epochNowMs, PROBE_HEADER_BYTES } from './probe.ts';

export const endpointConfigSchema = z.object({
  runId: z.number().int().nonnegative(),
  name: z.string(),
  listen: z.object({ address: z.ipv4(), port: z.number().int().min(1).max(65535) }).optional(),
  flows: z.array(
    z.object({
      id: z.number().int().nonnegative(),
      srcAddress: z.ipv4(),
      srcPort: z.number().int().min(1).max(65535),
      dstAddress: z.ipv4(),
      dstPort: z.number().int().min(1).max(65535),
    }),
  ),
  ratePps: z.number().positive().max(100_000),
  payloadBytes: z.number().int().min(PROBE_HEADER_BYTES).max(1400),
  drainMs: z.number().int().nonnegative(),
});

export type EndpointConfig = z.infer<typeof endpointConfigSchema>;

export interface EndpointResult {
  readonly event: 'result';
  readonly name: string;
  readonly sent: SenderFlowSummary[];
  readonly received: ReceiverFlowSummary[];
  readonly strayPackets: number;
}

interface SendingFlow {
  readonly id: number;
  readonly socket: Socket;
  readonly dstAddress: string;
  readonly dstPort: number;
  readonly phaseMs: number;
  seq: number;
  firstSendMs: number;
  lastSendMs: number;
  sendErrors: number;
}

function emit(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

async function main(configPath: string): Promise<void> {
  const config = endpointConfigSchema.parse(JSON.parse(readFileSync(configPath, 'utf8')));
  const intervalMs = 1000 / config.ratePps;
  let t0 = Number.NaN;
  const receivers = new Map<number, FlowReceiver>();
  let strayPackets = 0;

  const sockets: Socket[] = [];
  if (config.listen) {
    const listener = createSocket('udp4');
    listener.on('message', (message) => {
      const probe = decodeProbe(message);
      if (!probe || probe.runId !== config.runId) {
        strayPackets++;
        return;
      }
      let receiver = receivers.get(probe.flowId);
      if (!receiver) {
        receiver = new FlowReceiver(probe.flowId);
        receivers.set(probe.flowId, receiver);
      }
      receiver.add(probe.seq, probe.sendMs);
    });
    await bind(listener, config.listen.address, config.listen.port);
    sockets.push(listener);
  }

  const flows: SendingFlow[] = [];
  for (const [index, flow] of config.flows.entries()) {
    const socket = createSocket('udp4');
    await bind(socket, flow.srcAddress, flow.srcPort);
    sockets.push(socket);
    const sending: SendingFlow = {
      id: flow.id,
      socket,
      dstAddress: flow.dstAddress,
      dstPort: flow.dstPort,
      // Spread the flows over the interval instead of sending them in bursts.
      phaseMs: (index * intervalMs) / Math.max(1, config.flows.length),
      seq: 0,
      firstSendMs: Number.NaN,
      lastSendMs: Number.NaN,
      sendErrors: 0,
    };
    socket.on('error', () => {
      sending.sendErrors++;
    });
    flows.push(sending);
  }

  const payload = Buffer.alloc(config.payloadBytes);
  let timer: NodeJS.Timeout | undefined;
  let sending = false;

  const tick = (): void => {
    if (!sending) return;
    const now = epochNowMs() - t0;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const flow of flows) {
      let due = flow.phaseMs + flow.seq * intervalMs;
      while (due <= now) {
        const sendMs = epochNowMs() - t0;
        const packet = Buffer.from(
          encodeProbe(payload, { runId: config.runId, flowId: flow.id, seq: flow.seq, sendMs }),
        );
        flow.socket.send(packet, flow.dstPort, flow.dstAddress, (error) => {
          if (error) flow.sendErrors++;
        });
        if (flow.seq === 0) flow.firstSendMs = sendMs;
        flow.lastSendMs = sendMs;
        flow.seq++;
        due = flow.phaseMs + flow.seq * intervalMs;
      }
      nextDue = Math.min(nextDue, due);
    }
    timer = setTimeout(tick, Math.max(0, nextDue - (epochNowMs() - t0)));
  };

  const finish = (): void => {
    const result: EndpointResult = {
      event: 'result',
      name: config.name,
      sent: flows.map((flow) => ({
        id: flow.id,
        sent: flow.seq,
        firstSendMs: flow.firstSendMs,
        lastSendMs: flow.lastSendMs,
        sendErrors: flow.sendErrors,
      })),
      received: [...receivers.values()].map((receiver) => receiver.summary()),
      strayPackets,
    };
    emit(result);
    for (const socket of sockets) socket.close();
    process.exitCode = 0;
  };

  let stopping = false;
  const control = createInterface({ input: process.stdin });
  // The runner went away without saying stop: do not keep sending into the lab.
  control.on('close', () => {
    if (!stopping) process.exit(3);
  });
  control.on('line', (line) => {
    const command = JSON.parse(line) as { cmd?: string; t0?: number };
    if (command.cmd === 'start' && typeof command.t0 === 'number' && !sending) {
      t0 = command.t0;
      sending = true;
      timer = setTimeout(tick, Math.max(0, t0 - epochNowMs()));
    } else if (command.cmd === 'stop') {
      stopping = true;
      sending = false;
      if (timer) clearTimeout(timer);
      control.close();
      setTimeout(finish, config.drainMs);
    }
  });
  emit({ event: 'ready', name: config.name });
}

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('usage: endpoint.ts <config.json>\n');
  process.exit(2);
}
main(configPath).catch((error: unknown) => {
  process.stderr.write(`traffic endpoint failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
