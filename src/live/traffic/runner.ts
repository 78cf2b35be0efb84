/**
 * Runs UDP probe flows between lab hosts and reports, per flow, what it felt.
 *
 * One endpoint process per host namespace (endpoint.ts under tsx); all of them start
 * on a common t0 a moment in the future, so probes from every namespace share one
 * time base (the machine's clock), and stop when told.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { assertIdent, assertIpv4, assertPort } from '../exec.ts';
import type { Lab } from '../netns.ts';
import { flowOutcome, type Outage, type ReceiverFlowSummary } from './analysis.ts';
import type { EndpointConfig, EndpointResult } from './endpoint.ts';
import { nodeScriptArgv } from './node-argv.ts';
import { epochNowMs } from './probe.ts';

export interface TrafficEndpoint {
  readonly name: string;
  readonly netns: string;
  readonly address: string;
}

export interface TrafficFlowSpec {
  /** Endpoint names. */
  readonly from: string;
  readonly to: string;
  readonly srcPort: number;
  /** Defaults to the run's listen port. */
  readonly dstPort?: number;
  /** Label for reports; defaults to `<from>-><to>`. */
  readonly direction?: string;
}

export interface TrafficOptions {
  readonly endpoints: readonly TrafficEndpoint[];
  readonly flows: readonly TrafficFlowSpec[];
  /** Probes per second, per flow. */
  readonly ratePps: number;
  readonly payloadBytes?: number;
  /** UDP port every endpoint receives on (default 47000). */
  readonly listenPort?: number;
  /** How long receivers keep listening after senders stop (default 500 ms). */
  readonly drainMs?: number;
}

export interface FlowResult {
  readonly id: number;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly direction: string;
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly reordered: number;
  readonly duplicates: number;
  /** ms since t0, see analysis.ts for the definition. */
  readonly outages: readonly Outage[];
}

export interface TrafficResult {
  /** Wall-clock time (epoch ms) that all `…Ms` fields count from. */
  readonly t0EpochMs: number;
  readonly ratePps: number;
  readonly intervalMs: number;
  readonly flows: readonly FlowResult[];
}

/** `count` flows each way between `a` and `b`, with source ports basePort, basePort+1, … */
export function bidirectionalFlows(a: string, b: string, count: number, basePort = 42000): TrafficFlowSpec[] {
  const flows: TrafficFlowSpec[] = [];
  for (let i = 0; i < count; i++) {
    flows.push({ from: a, to: b, srcPort: basePort + i });
    flows.push({ from: b, to: a, srcPort: basePort + i });
  }
  return flows;
}

interface RunningEndpoint {
  readonly endpoint: TrafficEndpoint;
  readonly child: ChildProcess;
  readonly lines: AsyncIterator<string>;
  readonly stderr: string[];
}

async function nextMessage(running: RunningEndpoint, event: string, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`traffic endpoint ${running.endpoint.name}: no ${event} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    for (;;) {
      const next = await Promise.race([running.lines.next(), timeout]);
      if (next.done) {
        throw new Error(
          `traffic endpoint ${running.endpoint.name} exited before ${event}:\n${running.stderr.join('').slice(-2000)}`,
        );
      }
      const message = JSON.parse(next.value) as { event?: string };
      if (message.event === event) return message;
    }
  } finally {
    clearTimeout(timer);
  }
}

let runCounter = 0;

export class TrafficRun {
  private constructor(
    readonly t0EpochMs: number,
    private readonly options: TrafficOptions,
    private readonly flowTable: readonly (TrafficFlowSpec & {
      id: number;
      src: string;
      dst: string;
      dstPort: number;
    })[],
    private readonly running: readonly RunningEndpoint[],
  ) {}

  /** Starts every endpoint, waits until all are bound, then starts all flows on one t0. */
  static async start(lab: Lab, options: TrafficOptions): Promise<TrafficRun> {
    const listenPort = assertPort(options.listenPort ?? 47000, 'listen port');
    const byName = new Map(options.endpoints.map((e) => [assertIdent(e.name, 'endpoint name'), e]));
    const flowTable = options.flows.map((flow, index) => {
      const from = byName.get(flow.from);
      const to = byName.get(flow.to);
      if (!from || !to) throw new Error(`flow ${flow.from}->${flow.to}: unknown endpoint`);
      return {
        ...flow,
        id: index + 1,
        src: assertIpv4(from.address),
        dst: assertIpv4(to.address),
        srcPort: assertPort(flow.srcPort, 'source port'),
        dstPort: assertPort(flow.dstPort ?? listenPort, 'destination port'),
      };
    });
    const runId = ((Date.now() & 0xffffff) * 256 + (runCounter++ % 256)) >>> 0;
    const running: RunningEndpoint[] = [];
    try {
      for (const endpoint of options.endpoints) {
        const config: EndpointConfig = {
          runId,
          name: endpoint.name,
          listen: flowTable.some((f) => f.to === endpoint.name)
            ? { address: endpoint.address, port: listenPort }
            : undefined,
          flows: flowTable
            .filter((f) => f.from === endpoint.name)
            .map((f) => ({
              id: f.id,
              srcAddress: f.src,
              srcPort: f.srcPort,
              dstAddress: f.dst,
              dstPort: f.dstPort,
            })),
          ratePps: options.ratePps,
          payloadBytes: options.payloadBytes ?? 64,
          drainMs: options.drainMs ?? 500,
        };
        const configFile = lab.writePrivateFile(`traffic-${endpoint.name}.json`, JSON.stringify(config));
        const child = await lab.spawnAttached({
          name: `traffic-${endpoint.name}`,
          netns: endpoint.netns,
          argv: nodeScriptArgv('./endpoint.ts', [configFile]),
        });
        const stderr: string[] = [];
        child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
        const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
          Symbol.asyncIterator
        ]();
        running.push({ endpoint, child, lines, stderr });
      }
      await Promise.all(running.map((r) => nextMessage(r, 'ready', 20_000)));
    } catch (error) {
      for (const r of running) r.child.kill('SIGKILL');
      throw error;
    }
    // A common start slightly ahead, so every endpoint begins on the same time base.
    const t0EpochMs = Math.ceil(epochNowMs() + 100);
    for (const r of running) r.child.stdin?.write(`${JSON.stringify({ cmd: 'start', t0: t0EpochMs })}\n`);
    return new TrafficRun(t0EpochMs, options, flowTable, running);
  }

  /** Milliseconds since t0 (negative before the flows start). */
  elapsedMs(): number {
    return epochNowMs() - this.t0EpochMs;
  }

  /** Stops every sender, lets the receivers drain, and returns per-flow results. */
  async stop(): Promise<TrafficResult> {
    for (const r of this.running) r.child.stdin?.write(`${JSON.stringify({ cmd: 'stop' })}\n`);
    const drainMs = this.options.drainMs ?? 500;
    const results = (await Promise.all(
      this.running.map((r) => nextMessage(r, 'result', drainMs + 15_000)),
    )) as EndpointResult[];
    for (const r of this.running) r.child.stdin?.end();
    await Promise.all(
      this.running.map(
        (r) =>
          new Promise<void>((resolve) => {
            if (r.child.exitCode !== null || r.child.signalCode !== null) resolve();
            else r.child.once('exit', () => resolve());
          }),
      ),
    );
    const intervalMs = 1000 / this.options.ratePps;
    const sent = new Map(results.flatMap((r) => r.sent.map((s) => [s.id, s] as const)));
    const received = new Map<number, ReceiverFlowSummary>(
      results.flatMap((r) => r.received.map((s) => [s.id, s] as const)),
    );
    const flows = this.flowTable.map((flow): FlowResult => {
      const sender = sent.get(flow.id);
      if (!sender) throw new Error(`no sender report for flow ${flow.id}`);
      const outcome = flowOutcome(sender, received.get(flow.id));
      return {
        id: flow.id,
        src: flow.src,
        dst: flow.dst,
        srcPort: flow.srcPort,
        dstPort: flow.dstPort,
        direction: flow.direction ?? `${flow.from}->${flow.to}`,
        ...outcome,
      };
    });
    return { t0EpochMs: this.t0EpochMs, ratePps: this.options.ratePps, intervalMs, flows };
  }
}
