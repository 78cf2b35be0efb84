/**
 * Benchmark 4 (issue 7), daemon half: a full 4,000-prefix table (Azure's per-session
 * limit) loaded through one real BGP session, our speaker against BIRD 2 on this machine.
 *
 *   npx tsx bench/bgp-table-load.ts [runs] [--fib]     (root; `npm run bench:bgp-load`)
 *
 * Two network namespaces `vbtl<id>-r` (receiver) and `vbtl<id>-s` (sender) joined by one
 * veth, nothing else connected to them, in a lab of its own (`/run/vwan-ha-bench`, so a
 * concurrent `lab cleanup` or live test never sweeps it). Each measurement gets a fresh
 * receiver and a fresh sender; the receiver listens (passive) before the sender starts and
 * connects, so the first connect succeeds. Cases:
 *
 * - BIRD → BIRD: a second BIRD announces the 4,000 routes of a static protocol.
 * - ours → BIRD: our speaker as the lab runs it (`bgp-agent-main.ts`, a fresh Node
 *   process, so its code runs cold) announces them.
 * - ours (warm) → BIRD: the agent has sent the table once to a receiver that is then
 *   replaced; it reconnects by itself and the second load is timed (a lab agent that has
 *   been up a while, re-announcing after a session reset).
 * - BIRD → ours, cold and warm: the agent receives the table (its Adj-RIB-In: distinct
 *   prefixes in its `update` events); BIRD → BIRD is the baseline.
 * - BIRD → BIRD, as is: without the two measures below.
 * - with `--fib`: the cold forward cases with the receiver also exporting to its kernel.
 *
 * Timed from the **sender's** session reaching Established (when it may start sending)
 * until the receiver holds all 4,000 routes, on the wall clock: BIRD's own Established
 * time (`show protocols` with a microsecond time format), the agent's `established` event
 * (its epochMs); a receiving BIRD is polled over one persistent control-socket connection
 * ~1 ms apart (a birdc process per poll would cost more than the load); a receiving agent
 * says itself when the last prefix arrived. The receiver's Established is printed too,
 * and the time from the sender's start (process spawn), which includes Node + tsx start-up
 * for the agent and BIRD's minimum 1 s connect delay — not comparable, for completeness.
 *
 * Two BIRD 2.0 behaviours would otherwise swamp a load of a few milliseconds, so every case
 * but "as is" removes them: an idle BIRD sleeps in poll() up to 3 s between main-loop turns
 * and sometimes leaves its last export chunk for the next turn (a sending BIRD's control
 * socket is polled during the load, keeping it awake); and BIRD does not set TCP_NODELAY,
 * so its last, short segment can wait for the receiver's delayed ACK, 40 ms (the
 * receiver's route to the sender gets `quickack 1`).
 *
 * Same timers (hold 90 s, keepalive 30 s), addresses, ASNs and prefixes for every case.
 * Prints figures, asserts nothing; these machines are shared and noisy. Environment:
 * BGP_LOAD_RUNS (default 5), BGP_LOAD_ONLY=<case keys, comma-separated>, BGP_LOAD_DEBUG=1
 * (BIRD packet logs and per-run figures on stderr), BGP_LOAD_TIMEOUT_MS (per load, 60 s).
 */
import { createConnection, type Socket } from 'node:net';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AgentConfig } from '../src/live/bgp-agent-main.ts';
import { Bird, type BirdConfig, renderBirdConf } from '../src/live/bird.ts';
import { findExecutable } from '../src/live/doctor.ts';
import { sleep } from '../src/live/exec.ts';
import { listLabDirs } from '../src/live/lab-state.ts';
import { deleteNetns, destroyOnSignal, Lab, listNetns } from '../src/live/netns.ts';
import { isAlive } from '../src/live/proc.ts';
import { nodeScriptArgv } from '../src/live/traffic/node-argv.ts';
import { machineLine } from './machine.ts';

const PREFIX_COUNT = 4_000;
const ROOT = '/run/vwan-ha-bench';
const FAMILY = 'vbtl';
const RECEIVER = { address: '198.18.0.1', asn: 65001 };
const SENDER = { address: '198.18.0.2', asn: 65002 };
const TIMERS = { holdTimeSeconds: 90, keepaliveSeconds: 30 };
const POLL_MS = 1;
const RUN_TIMEOUT_MS = Number(process.env.BGP_LOAD_TIMEOUT_MS ?? 60_000);

/** 4,000 distinct /24s: 10.0.0.0/24, 10.0.1.0/24, … 10.15.159.0/24. */
const PREFIXES = Array.from({ length: PREFIX_COUNT }, (_, i) => `10.${i >> 8}.${i & 0xff}.0/24`);

export interface TableLoadOptions {
  readonly runs?: number;
  /** Also time the forward cases with the receiver installing the routes in its kernel. */
  readonly fib?: boolean;
}

/** A reason the benchmark cannot run here, or undefined. */
export async function tableLoadSkipReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces); run it with sudo';
  for (const file of ['ip', 'bird', 'birdc']) {
    if (!(await findExecutable(file))) return `${file} not found (apt-get install -y bird2 iproute2)`;
  }
  return undefined;
}

// --- Clocks --------------------------------------------------------------------------------

/** performance.now() + this = Unix ms, read at a tick of Date.now() (BIRD prints wall-clock times). */
function wallClockOffsetMs(): number {
  const start = Date.now();
  let now = start;
  let perf = performance.now();
  while (now === start) {
    perf = performance.now();
    now = Date.now();
  }
  return now - perf;
}

// --- BIRD's control socket, one connection kept open ------------------------------------------

/**
 * A minimal client of BIRD's control protocol (what birdc speaks): a command is one line;
 * every reply line starts with a 4-digit code, followed by `-` while more lines follow
 * and by a space on the last one (lines starting with a space continue the previous one).
 */
class BirdControl {
  private buffer = '';
  private lines: string[] = [];
  private pending: { resolve: (lines: string[]) => void; reject: (error: Error) => void } | undefined;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.pending?.reject(new Error('BIRD closed its control socket'));
      this.pending = undefined;
    });
  }

  static async open(path: string): Promise<BirdControl> {
    const socket = createConnection({ path });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const control = new BirdControl(socket);
    await control.reply(); // the greeting, "0001 BIRD 2.x ready."
    return control;
  }

  async query(command: string): Promise<string> {
    const reply = this.reply();
    this.socket.write(`${command}\n`);
    return (await reply).join('\n');
  }

  close(): void {
    this.socket.destroy();
  }

  private reply(): Promise<string[]> {
    if (this.closed) return Promise.reject(new Error('BIRD closed its control socket'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.lines.push(line);
      if (/^\d{4} /.test(line)) {
        const done = this.lines;
        this.lines = [];
        this.pending?.resolve(done);
        this.pending = undefined;
      }
      newline = this.buffer.indexOf('\n');
    }
  }
}

/** The session `peer` as `show protocols all peer` shows it (with the microsecond time format). */
interface PeerStatus {
  readonly state: string;
  readonly imported: number;
  /** Unix ms of the last state change (Established, once it is). */
  readonly sinceMs: number;
}

async function peerStatus(control: BirdControl): Promise<PeerStatus> {
  const text = await control.query('show protocols all peer');
  return {
    state: /BGP state:\s+(\w+)/.exec(text)?.[1] ?? 'unknown',
    imported: Number(/Routes:\s+(\d+) imported/.exec(text)?.[1] ?? 0),
    sinceMs: Number(/^1002-peer\s+\S+\s+\S+\s+\S+\s+([\d.]+)/m.exec(text)?.[1] ?? 0) * 1000,
  };
}

// --- The speakers ------------------------------------------------------------------------------

let seq = 0;

interface Net {
  readonly lab: Lab;
  readonly r: string;
  readonly s: string;
}

function birdConfig(
  self: { address: string; asn: number },
  peer: { address: string; asn: number },
  options: { announce: readonly string[]; passive: boolean; kernelExport: boolean },
): BirdConfig {
  return {
    routerId: self.address,
    localAsn: self.asn,
    neighbors: [
      {
        name: 'peer',
        address: peer.address,
        asn: peer.asn,
        ...TIMERS,
        connectDelaySeconds: 0, // BIRD waits at least 1 s anyway
        passive: options.passive,
      },
    ],
    announce: options.announce,
    kernelExport: options.kernelExport,
  };
}

/**
 * A BIRD on the lab's rendering, started through `startExported` so that the protocol
 * time format can carry microseconds (`show protocols` then says exactly when the session
 * reached Established, on BIRD's own clock).
 */
async function startBird(lab: Lab, netns: string, role: string, config: BirdConfig): Promise<BirdHandle> {
  const name = `${role}-${++seq}`;
  const rendered = renderBirdConf(config, { logFile: lab.path(`${name}.bird.log`) });
  // startExported puts its own log line and `timeformat protocol "%s"` in front; a later timeformat wins.
  const debug = process.env.BGP_LOAD_DEBUG ? '\ndebug protocols { states, events, packets };' : '';
  const text = rendered
    .replace(/^log .*\n/m, '')
    .replace('timeformat protocol "%s";', `timeformat protocol "%s.%6f";\ntimeformat log "%T.%6f";${debug}`);
  if (!text.includes('%s.%6f')) throw new Error('renderBirdConf changed its header; fix startBird');
  const bird = await Bird.startExported(lab, { netns, name, text });
  return { bird, control: await BirdControl.open(bird.controlSocket) };
}

interface BirdHandle {
  readonly bird: Bird;
  readonly control: BirdControl;
}

async function stopBird(handle: BirdHandle | undefined): Promise<void> {
  if (!handle) return;
  handle.control.close();
  await handle.bird.stop();
}

interface AgentHandle {
  readonly name: string;
  readonly lines: Interface;
  readonly log: string[];
}

/** Our speaker as the lab runs it: `bgp-agent-main.ts` in a namespace, one JSON event per stdout line. */
async function startAgent(net: Net, netns: string, config: AgentConfig): Promise<AgentHandle> {
  const name = `agent-${++seq}`;
  const file = net.lab.writePrivateFile(`${name}.json`, JSON.stringify(config));
  const child = await net.lab.spawnAttached({
    name,
    netns,
    argv: nodeScriptArgv('../bgp-agent-main.ts', [file]),
  });
  const log: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  return { name, lines: createInterface({ input: child.stdout as NodeJS.ReadableStream }), log };
}

interface AgentEvent {
  readonly kind: string;
  readonly epochMs: number;
  readonly nlri?: readonly string[];
}

function agentNeighbor(peer: { address: string; asn: number }, initiate: boolean, advertise: string[]) {
  return {
    remoteAddress: peer.address,
    remoteAsn: peer.asn,
    holdTimeSec: TIMERS.holdTimeSeconds,
    keepaliveSec: TIMERS.keepaliveSeconds,
    connectRetrySec: 1,
    initiate,
    advertise,
  };
}

// --- One measured load -------------------------------------------------------------------------

interface LoadTiming {
  /** The sender's session Established → all 4,000 routes held by the receiver. */
  readonly loadMs: number;
  /** The receiver's session Established → all held. */
  readonly receiverMs: number;
  /** Sender start (process spawn; a warm agent: its new receiver ready, so its reconnect) → all held. */
  readonly fromStartMs: number;
}

type Sender = 'ours' | 'bird';

/** Polls `control` until `stop()`: keeps an idle BIRD's main loop turning. */
function keepAwake(control: BirdControl): { stop: () => Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await control.query('show status');
      await sleep(POLL_MS);
    }
  })();
  loop.catch(() => {}); // reported by stop()
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function waitPassive(control: BirdControl): Promise<void> {
  const deadline = performance.now() + 10_000;
  while ((await peerStatus(control)).state !== 'Passive') {
    if (performance.now() > deadline) throw new Error('receiver BIRD never started listening (Passive)');
    await sleep(5);
  }
}

/** Polls a receiving BIRD until it holds the whole table; returns when (wall clock) and its status. */
async function untilHeld(
  control: BirdControl,
  wall: () => number,
  failure: () => string,
): Promise<{ at: number; status: PeerStatus }> {
  const deadline = wall() + RUN_TIMEOUT_MS;
  for (;;) {
    const status = await peerStatus(control);
    const at = wall();
    if (status.imported >= PREFIX_COUNT) return { at, status };
    if (at > deadline) {
      throw new Error(
        `receiver held ${status.imported} routes after ${RUN_TIMEOUT_MS} ms (${status.state})\n${failure()}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/**
 * A BIRD receives the table from `sender`; polled until it holds all of it. `warm` (our
 * speaker only): the agent has already sent the table once, to a receiver that is then
 * replaced by a fresh one; the agent reconnects by itself and the second load is timed —
 * as a lab agent that has been running for a while re-announces after a session reset.
 */
async function loadIntoBird(
  net: Net,
  sender: Sender,
  options: { kernelExport: boolean; awake: boolean; warm?: boolean },
): Promise<LoadTiming> {
  const { lab } = net;
  let receiver: BirdHandle | undefined;
  let birdSender: BirdHandle | undefined;
  let agent: AgentHandle | undefined;
  let waker: { stop: () => Promise<void> } | undefined;
  let senderEstablished: number | undefined;
  const startReceiver = async (): Promise<BirdHandle> => {
    const config = birdConfig(RECEIVER, SENDER, {
      announce: [],
      passive: true,
      kernelExport: options.kernelExport,
    });
    const handle = await startBird(lab, net.r, 'recv', config);
    await waitPassive(handle.control);
    return handle;
  };
  const startOurs = async (): Promise<AgentHandle> => {
    const handle = await startAgent(net, net.s, {
      localAddress: SENDER.address,
      localAsn: SENDER.asn,
      neighbors: [agentNeighbor(RECEIVER, true, PREFIXES)],
    });
    handle.lines.on('line', (line) => {
      const event = JSON.parse(line) as AgentEvent;
      if (event.kind === 'established') senderEstablished = event.epochMs;
    });
    return handle;
  };
  const failure = (): string =>
    agent ? agent.log.join('') : birdSender ? lab.logTail(`${birdSender.bird.name}.bird`) : '';
  try {
    receiver = await startReceiver();
    if (sender === 'ours' && options.warm) {
      agent = await startOurs();
      await untilHeld(receiver.control, () => performance.now(), failure);
      await stopBird(receiver);
      receiver = undefined;
      receiver = await startReceiver();
      senderEstablished = undefined;
    }
    const offset = wallClockOffsetMs();
    const wall = (): number => performance.now() + offset;
    const started = wall();
    const watch = untilHeld(receiver.control, wall, failure);
    watch.catch(() => {}); // awaited below, unless starting the sender fails first
    if (sender === 'ours') {
      agent ??= await startOurs();
    } else {
      birdSender = await startBird(
        lab,
        net.s,
        'send',
        birdConfig(SENDER, RECEIVER, { announce: PREFIXES, passive: false, kernelExport: false }),
      );
      if (options.awake) waker = keepAwake(birdSender.control);
    }
    const full = await watch;
    await waker?.stop();
    if (birdSender) senderEstablished = (await peerStatus(birdSender.control)).sinceMs;
    if (process.env.BGP_LOAD_DEBUG) {
      for (const handle of [birdSender, receiver]) {
        if (handle) process.stderr.write(`${lab.logTail(`${handle.bird.name}.bird`, 14)}\n`);
      }
    }
    if (full.status.state !== 'Established' || senderEstablished === undefined)
      throw new Error(`no Established session at the end (${full.status.state})`);
    return {
      loadMs: full.at - senderEstablished,
      receiverMs: full.at - full.status.sinceMs,
      fromStartMs: full.at - started,
    };
  } finally {
    await waker?.stop();
    if (agent) await lab.stopProcess(agent.name, 2000);
    await stopBird(birdSender);
    await stopBird(receiver);
  }
}

/**
 * Our speaker receives the table from a BIRD; the agent's own event times say when it had
 * it. `warm`: it has received the table once already, from a BIRD that is then replaced by
 * a fresh one; the second load is timed.
 */
async function loadIntoOurs(net: Net, options: { warm?: boolean } = {}): Promise<LoadTiming> {
  const { lab } = net;
  const agent = await startAgent(net, net.r, {
    localAddress: RECEIVER.address,
    localAsn: RECEIVER.asn,
    neighbors: [agentNeighbor(SENDER, false, [])],
  });
  let sender: BirdHandle | undefined;
  let waker: { stop: () => Promise<void> } | undefined;
  let started = 0;
  const startSender = async (): Promise<void> => {
    started = performance.now() + wallClockOffsetMs();
    const config = birdConfig(SENDER, RECEIVER, { announce: PREFIXES, passive: false, kernelExport: false });
    sender = await startBird(lab, net.s, 'send', config);
    waker = keepAwake(sender.control);
  };
  const timeout = setTimeout(() => agent.lines.close(), RUN_TIMEOUT_MS * 2);
  try {
    let untimed = options.warm ? 1 : 0;
    let expectDown = false;
    const received = new Set<string>();
    const updates: string[] = [];
    let established: number | undefined;
    for await (const line of agent.lines) {
      const event = JSON.parse(line) as AgentEvent;
      if (event.kind === 'listening') {
        await startSender();
      } else if (event.kind === 'established') {
        established = event.epochMs;
      } else if (event.kind === 'update' && event.nlri) {
        for (const prefix of event.nlri) received.add(prefix);
        if (process.env.BGP_LOAD_DEBUG) updates.push(`${event.nlri.length}@${event.epochMs.toFixed(3)}`);
        if (received.size < PREFIX_COUNT || established === undefined || !sender || !waker) continue;
        await waker.stop();
        if (untimed > 0) {
          // The warm-up load: replace the sender; the agent sees the session end (Cease).
          untimed--;
          await stopBird(sender);
          expectDown = true;
          received.clear();
          updates.length = 0;
          established = undefined;
          await startSender();
          continue;
        }
        const senderEstablished = (await peerStatus(sender.control)).sinceMs;
        if (process.env.BGP_LOAD_DEBUG) {
          process.stderr.write(
            `sender up ${senderEstablished.toFixed(3)} ours up ${established} ${updates.join(' ')}\n`,
          );
        }
        return {
          loadMs: event.epochMs - senderEstablished,
          receiverMs: event.epochMs - established,
          fromStartMs: event.epochMs - started,
        };
      } else if (event.kind === 'down') {
        if (!expectDown) throw new Error(`session went down: ${line}`);
        expectDown = false;
      }
    }
    throw new Error(`the agent stopped after ${received.size} prefixes\n${agent.log.join('')}`);
  } finally {
    clearTimeout(timeout);
    await waker?.stop();
    await lab.stopProcess(agent.name, 2000);
    await stopBird(sender);
  }
}

// --- Set-up, repetitions, figures --------------------------------------------------------------

/**
 * The receiver's route to the sender with or without `quickack` (RTAX_QUICKACK): with it,
 * the receiver's TCP acknowledges at once instead of delaying ACKs up to 40 ms. BIRD does
 * not set TCP_NODELAY, so without it the last, short segment of a table BIRD sends can
 * wait for a delayed ACK (Nagle's algorithm).
 */
async function setQuickAck(net: Net, on: boolean): Promise<void> {
  await net.lab.exec(net.r, [
    'ip',
    'route',
    'replace',
    '198.18.0.0/30',
    'dev',
    'vbtl-r',
    'proto',
    'kernel',
    'scope',
    'link',
    'src',
    RECEIVER.address,
    ...(on ? ['quickack', '1'] : []),
  ]);
}

/** Removes what an earlier run of this benchmark left behind when its process died. */
async function sweepStale(): Promise<void> {
  for (const entry of listLabDirs(ROOT)) {
    if (entry.state && !(await isAlive(entry.state.snapshot.owner))) await Lab.open(entry.id, ROOT).destroy();
  }
  const live = new Set(listLabDirs(ROOT).map((entry) => entry.id));
  for (const netns of await listNetns()) {
    const id = new RegExp(`^${FAMILY}([a-z0-9]{4})-`).exec(netns)?.[1];
    if (id !== undefined && !live.has(id)) await deleteNetns(netns);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function summary(values: readonly number[]): string {
  return `${ms(median(values))} ms (${ms(Math.min(...values))}–${ms(Math.max(...values))})`;
}

interface Case {
  readonly key: string;
  readonly label: string;
  readonly go: (net: Net) => Promise<LoadTiming>;
  /** Without the receiver's quick ACKs (and, by its `go`, without keeping the sender awake). */
  readonly asIs?: boolean;
}

export async function runBgpTableLoadBenchmark(options: TableLoadOptions = {}): Promise<string[]> {
  const skip = await tableLoadSkipReason();
  if (skip) return [`bgp table load: skipped: ${skip}`];
  const runs = options.runs ?? 5;
  const cases: Case[] = [
    {
      key: 'bird>bird',
      label: 'BIRD → BIRD',
      go: (net) => loadIntoBird(net, 'bird', { kernelExport: false, awake: true }),
    },
    {
      key: 'ours>bird',
      label: 'ours → BIRD',
      go: (net) => loadIntoBird(net, 'ours', { kernelExport: false, awake: true }),
    },
    {
      key: 'ours-warm>bird',
      label: 'ours (warm) → BIRD',
      go: (net) => loadIntoBird(net, 'ours', { kernelExport: false, awake: true, warm: true }),
    },
    { key: 'bird>ours', label: 'BIRD → ours', go: (net) => loadIntoOurs(net) },
    { key: 'bird>ours-warm', label: 'BIRD → ours (warm)', go: (net) => loadIntoOurs(net, { warm: true }) },
    {
      key: 'bird>bird-as-is',
      label: 'BIRD → BIRD, as is',
      go: (net) => loadIntoBird(net, 'bird', { kernelExport: false, awake: false }),
      asIs: true,
    },
  ];
  if (options.fib) {
    cases.push(
      {
        key: 'bird>bird+fib',
        label: 'BIRD → BIRD, + kernel',
        go: (net) => loadIntoBird(net, 'bird', { kernelExport: true, awake: true }),
      },
      {
        key: 'ours>bird+fib',
        label: 'ours → BIRD, + kernel',
        go: (net) => loadIntoBird(net, 'ours', { kernelExport: true, awake: true }),
      },
    );
  }
  const only = process.env.BGP_LOAD_ONLY?.split(',');
  const chosen = only ? cases.filter((c) => only.includes(c.key)) : cases;
  const results = new Map<string, LoadTiming[]>(chosen.map((c) => [c.key, []]));

  await sweepStale();
  const lab = await Lab.create({ root: ROOT, namespaceFamily: FAMILY });
  const removeHandlers = destroyOnSignal(lab);
  try {
    const net: Net = { lab, r: await lab.addNamespace('r'), s: await lab.addNamespace('s') };
    await lab.addVeth(
      { netns: net.r, ifname: 'vbtl-r', cidr: `${RECEIVER.address}/30` },
      { netns: net.s, ifname: 'vbtl-s', cidr: `${SENDER.address}/30` },
    );
    lab.markUp();
    for (let run = 0; run < runs; run++) {
      // Alternate the order so a neighbour's burst of load does not always hit the same case.
      for (const c of run % 2 === 0 ? chosen : [...chosen].reverse()) {
        await setQuickAck(net, !c.asIs);
        const timing = await c.go(net);
        results.get(c.key)?.push(timing);
        if (process.env.BGP_LOAD_DEBUG) process.stderr.write(`${c.key} ${JSON.stringify(timing)}\n`);
      }
    }
  } finally {
    removeHandlers();
    await lab.destroy();
  }

  const of = (key: string): LoadTiming[] => results.get(key) ?? [];
  const lines = [
    `bgp table load: ${PREFIX_COUNT.toLocaleString('en-US')} /24s through one eBGP session over a veth, ${runs} runs, median (min–max)`,
    `  ${'case'.padEnd(26)} ${'sender Established → all held'.padEnd(30)} ${'receiver Established → all'.padEnd(28)} sender start → all`,
  ];
  for (const c of chosen) {
    const t = of(c.key);
    lines.push(
      `  ${c.label.padEnd(26)} ${summary(t.map((x) => x.loadMs)).padEnd(30)} ${summary(t.map((x) => x.receiverMs)).padEnd(28)} ${summary(t.map((x) => x.fromStartMs))}`,
    );
  }
  // Medians, and the best runs (the least disturbed by whatever else the machine was doing).
  const ratio = (label: string, a: string, b: string): void => {
    const x = of(a).map((t) => t.loadMs);
    const y = of(b).map((t) => t.loadMs);
    if (x.length === 0 || y.length === 0) return;
    lines.push(
      `  ${label}: ${(median(x) / median(y)).toFixed(1)}× (medians), ${(Math.min(...x) / Math.min(...y)).toFixed(1)}× (best runs)`,
    );
  };
  lines.push('  ratios, sender Established → all held:');
  ratio('  BIRD accepting from ours / from BIRD', 'ours>bird', 'bird>bird');
  ratio('  the same, our agent warm', 'ours-warm>bird', 'bird>bird');
  ratio('  ours accepting from BIRD / BIRD accepting from BIRD', 'bird>ours', 'bird>bird');
  ratio('  the same, our agent warm', 'bird>ours-warm', 'bird>bird');
  ratio('  BIRD accepting into RIB + kernel, from ours / from BIRD', 'ours>bird+fib', 'bird>bird+fib');
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? process.env.BGP_LOAD_RUNS ?? 5);
  console.log(machineLine());
  console.log((await runBgpTableLoadBenchmark({ runs, fib: args.includes('--fib') })).join('\n'));
}
