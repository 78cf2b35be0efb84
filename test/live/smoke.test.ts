/**
 * Live lab smoke test: real namespaces, a real strongSwan IPsec tunnel (userland ESP),
 * real eBGP between BIRD routers over it, real UDP flows, a real silent failure.
 * Needs root on Linux with the lab packages (scripts/install-lab-deps.sh); skips with
 * the reason otherwise.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStale, findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { sleep } from '../../src/live/exec.ts';
import { Lab, listNetns, netnsPids } from '../../src/live/netns.ts';
import { blackholeNetns, restoreNetns } from '../../src/live/nft.ts';
import { isAlive } from '../../src/live/proc.ts';
import { ikeTimingFor } from '../../src/live/strongswan.ts';
import { bidirectionalFlows, type TrafficOptions, TrafficRun } from '../../src/live/traffic/runner.ts';
import { measureTcpThroughput } from '../../src/live/traffic/throughput.ts';
import { type RootSnapshot, rootSnapshot } from './fixtures/root-snapshot.ts';
import { buildTwoSiteLab, type TwoSiteLab, waitTwoSiteUp } from './fixtures/two-site.ts';

const skipReason = await liveLabSkipReason();
if (skipReason) console.warn(`[live lab] skipped: ${skipReason}`);

const HOLD_S = 9;
const KEEPALIVE_S = 3;
const DPD_TIMEOUT_S = 9;
const FLOWS_EACH_WAY = 4;
const RATE_PPS = 100;

function report(line: string): void {
  process.stdout.write(`[live lab] ${line}\n`);
}

describe.skipIf(skipReason !== undefined)('live lab: two sites, one IPsec tunnel, eBGP across it', () => {
  let baseline: RootSnapshot;
  let lab: Lab | undefined;
  let world: TwoSiteLab;
  let traffic: TrafficOptions;

  beforeAll(async () => {
    await cleanupStale();
    baseline = await rootSnapshot();
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('brings up the tunnel (PSK, libipsec, NAT-T through the public namespaces) and BGP over it', async () => {
    const started = performance.now();
    lab = await Lab.create();
    world = await buildTwoSiteLab(lab, {
      dpdTimeoutSeconds: DPD_TIMEOUT_S,
      holdTimeSeconds: HOLD_S,
      keepaliveSeconds: KEEPALIVE_S,
    });
    const builtMs = performance.now() - started;
    const up = await waitTwoSiteUp(world, 60_000);
    lab.markUp();
    report(
      `bring-up: namespaces+links+daemons ${builtMs.toFixed(0)} ms, tunnel up +${up.tunnelUpMs.toFixed(0)} ms, ` +
        `BGP Established +${up.bgpUpMs.toFixed(0)} ms, routes in kernel +${up.routedMs.toFixed(0)} ms, ` +
        `total ${(performance.now() - started).toFixed(0)} ms`,
    );

    const [sa] = (await world.charonA.listSas()).filter((s) => s.name === world.tunnel);
    expect(sa?.state).toBe('ESTABLISHED');
    expect(sa?.remoteHost).toBe(world.b.publicAddress);
    // Each router learned the other site's LAN over BGP and put it in the kernel.
    const routesA = (await lab.exec(world.a.rtr, ['ip', '-o', 'route', 'show', world.b.lan])).stdout;
    const routesB = (await lab.exec(world.b.rtr, ['ip', '-o', 'route', 'show', world.a.lan])).stdout;
    expect(routesA).toContain('proto bird');
    expect(routesB).toContain('proto bird');

    traffic = {
      endpoints: [
        { name: 'ha', netns: world.a.host, address: world.a.hostAddress },
        { name: 'hb', netns: world.b.host, address: world.b.hostAddress },
      ],
      flows: bidirectionalFlows('ha', 'hb', FLOWS_EACH_WAY),
      ratePps: RATE_PPS,
    };
  });

  it(`carries ${FLOWS_EACH_WAY} flows × ${RATE_PPS} pps each way through the tunnel with zero loss`, async () => {
    if (!lab) throw new Error('lab not built');
    const run = await TrafficRun.start(lab, traffic);
    await sleep(5000);
    const result = await run.stop();
    expect(result.flows).toHaveLength(2 * FLOWS_EACH_WAY);
    for (const flow of result.flows) {
      expect(flow.sent, `flow ${flow.id} ${flow.direction} sent`).toBeGreaterThan(450);
      expect({ id: flow.id, lost: flow.lost, outages: flow.outages }).toEqual({
        id: flow.id,
        lost: 0,
        outages: [],
      });
      expect(flow.delivered).toBe(flow.sent);
    }
    expect(new Set(result.flows.map((f) => `${f.src}:${f.srcPort}>${f.dst}:${f.dstPort}`)).size).toBe(
      2 * FLOWS_EACH_WAY,
    );
    const sent = result.flows.reduce((sum, f) => sum + f.sent, 0);
    report(`steady state: ${result.flows.length} flows, ${sent} probes sent, 0 lost, 0 outages`);
  });

  it('full-size TCP crosses the 1400-byte tunnel (PMTU discovery and MSS clamp work); throughput', async () => {
    if (!lab) throw new Error('lab not built');
    const [ha, hb] = traffic.endpoints;
    if (!ha || !hb) throw new Error('endpoints');
    const result = await measureTcpThroughput(lab, { from: ha, to: hb, seconds: 3 });
    report(
      `one TCP stream through the tunnel: ${result.mbitPerSecond.toFixed(0)} Mbit/s ` +
        `(${(result.bytes / 1e6).toFixed(0)} MB in ${result.seconds.toFixed(2)} s)`,
    );
    expect(result.mbitPerSecond).toBeGreaterThan(20);
  });

  it('silent death of site B tunnel namespace: BGP hold and DPD detect it, flows see one outage until recovery', async () => {
    if (!lab) throw new Error('lab not built');
    const timing = ikeTimingFor(DPD_TIMEOUT_S);
    const run = await TrafficRun.start(lab, traffic);
    await sleep(3000);
    const killMs = run.elapsedMs();
    await blackholeNetns(lab, world.b.tun);

    let bgpDownMs: number | undefined;
    let ikeDownMs: number | undefined;
    while ((bgpDownMs === undefined || ikeDownMs === undefined) && run.elapsedMs() - killMs < 30_000) {
      await sleep(100);
      if (bgpDownMs === undefined && (await world.birdA.bgpState(world.bgpPeer)) !== 'Established') {
        bgpDownMs = run.elapsedMs() - killMs;
      }
      if (ikeDownMs === undefined && !(await world.charonA.isUp(world.tunnel))) {
        ikeDownMs = run.elapsedMs() - killMs;
      }
    }

    const reviveMs = run.elapsedMs();
    await restoreNetns(lab, world.b.tun);
    await world.charonA.waitUp(world.tunnel, 60_000);
    const ikeUpMs = run.elapsedMs() - reviveMs;
    await Promise.all([
      world.birdA.waitEstablished(world.bgpPeer, 60_000),
      world.birdB.waitEstablished(world.bgpPeer, 60_000),
    ]);
    const bgpUpMs = run.elapsedMs() - reviveMs;
    await sleep(3000);
    const result = await run.stop();

    report(
      `silent death at ${killMs.toFixed(0)} ms: site A BGP left Established after ${fmt(bgpDownMs)} s ` +
        `(hold ${HOLD_S} s, keepalive ${KEEPALIVE_S} s), IKE SA gone after ${fmt(ikeDownMs)} s ` +
        `(dpdTimeoutSeconds ${DPD_TIMEOUT_S} → dpd_delay ${timing.dpdDelaySeconds} s + ` +
        `${timing.retransmitTries + 1} × ${timing.retransmitTimeoutSeconds} s)`,
    );
    report(
      `revived at ${reviveMs.toFixed(0)} ms: IKE up after ${(ikeUpMs / 1000).toFixed(2)} s, ` +
        `BGP Established after ${(bgpUpMs / 1000).toFixed(2)} s`,
    );

    expect(bgpDownMs, 'BGP hold timer expiry').toBeDefined();
    expect(ikeDownMs, 'DPD declared the peer dead').toBeDefined();
    // The hold timer runs from the last keepalive received, up to one keepalive before the kill.
    expect(bgpDownMs as number).toBeGreaterThan((HOLD_S - KEEPALIVE_S - 1.5) * 1000);
    expect(bgpDownMs as number).toBeLessThan((HOLD_S + 1.5) * 1000);
    expect(ikeDownMs as number).toBeGreaterThan((timing.deadAfterSeconds - 2) * 1000);
    expect(ikeDownMs as number).toBeLessThan((timing.deadAfterSeconds + 3) * 1000);

    for (const flow of result.flows) {
      const main = flow.outages.filter((o) => o.startMs <= killMs + 200 && o.endMs >= killMs);
      expect(main, `flow ${flow.id} ${flow.direction}: one outage spanning the failure`).toHaveLength(1);
      const outage = main[0] as { startMs: number; endMs: number };
      expect(outage.startMs).toBeGreaterThan(killMs - 200);
      expect(outage.endMs).toBeGreaterThan(reviveMs);
      expect(outage.endMs).toBeLessThan(reviveMs + bgpUpMs + 1000);
      expect(flow.delivered).toBeGreaterThan(0);
      // Anything else is a blip (both ends re-initiate after the outage and INITIAL_CONTACT replaces the
      // duplicate SA: one IKE exchange), never a second outage. A blip as long as one IKE retransmission
      // timeout would mean that exchange was lost and retried — a real second outage. Seen: 0.98 s and,
      // on a loaded machine, 1.63 s (the fast timers retransmit after 2 s).
      for (const other of flow.outages.filter((o) => o !== outage)) {
        report(`flow ${flow.id} ${flow.direction}: blip of ${other.endMs - other.startMs} ms after recovery`);
        expect(other.endMs - other.startMs, `flow ${flow.id} extra outage`).toBeLessThan(
          timing.retransmitTimeoutSeconds * 1000,
        );
      }
    }
    const durations = result.flows.map((f) => {
      const o = f.outages.find((x) => x.startMs <= killMs + 200 && x.endMs >= killMs) as {
        startMs: number;
        endMs: number;
      };
      return o.endMs - o.startMs;
    });
    const extra = result.flows.reduce((n, f) => n + f.outages.length - 1, 0);
    report(
      `flow outage: min ${(Math.min(...durations) / 1000).toFixed(2)} s, max ${(Math.max(...durations) / 1000).toFixed(2)} s ` +
        `over ${result.flows.length} flows (kill→revive ${((reviveMs - killMs) / 1000).toFixed(2)} s + recovery); ` +
        `extra short outages: ${extra}`,
    );
  });

  it('keeps the lab directory private (0700, files 0600) and the PSK only in swanctl.conf', async () => {
    if (!lab) throw new Error('lab not built');
    expect((await stat(lab.dir)).mode & 0o777).toBe(0o700);
    const hex = Buffer.from(world.psk).toString('hex');
    for (const name of await readdir(lab.dir)) {
      const file = join(lab.dir, name);
      const info = await stat(file);
      if (!info.isFile()) continue;
      expect({ name, mode: (info.mode & 0o777).toString(8) }).toEqual({ name, mode: '600' });
      const text = await readFile(file, 'utf8');
      expect(text.includes(world.psk), `${name} holds the PSK`).toBe(false);
      if (!name.endsWith('.swanctl.conf'))
        expect(text.includes(hex), `${name} holds the PSK (hex)`).toBe(false);
    }
  });

  it('tears down leaving no namespace, veth, nft table, process or directory behind', async () => {
    if (!lab) throw new Error('lab not built');
    const daemons = lab.record.processes.map((p) => ({ pid: p.pid, startTime: p.startTime }));
    const started = performance.now();
    await lab.destroy();
    report(`teardown: ${(performance.now() - started).toFixed(0)} ms`);
    const leaks = await findLeaks({ labId: lab.id });
    expect(leaks).toEqual({
      namespaces: [],
      processes: [],
      rootLinks: [],
      rootNftTables: [],
      dirs: [],
      mounts: [],
    });
    for (const daemon of daemons) expect(await isAlive(daemon)).toBe(false);
    expect(await rootSnapshot()).toEqual(baseline);
    lab = undefined;
  });
});

const FIXTURE = fileURLToPath(new URL('./fixtures/build-and-wait.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Starts a child that builds a lab; resolves with the child and its lab id once the lab is up. */
async function labBuildingChild(
  args: string[],
): Promise<{ child: ReturnType<typeof spawn>; labId: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', TSX, FIXTURE, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const labId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child did not build its lab:\n${stderr.join('')}`)),
      60_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { labId: string }).labId);
    });
    child.once('exit', () => reject(new Error(`child exited before building its lab:\n${stderr.join('')}`)));
  });
  return { child, labId, exited };
}

describe.skipIf(skipReason !== undefined)('live lab: nothing survives the process that built it', () => {
  it('kill -9 of the builder leaves a running lab behind; cleanupStale removes all of it', async () => {
    const baseline = await rootSnapshot();
    const { child, labId, exited } = await labBuildingChild([]);
    child.kill('SIGKILL');
    await exited;

    // The orphaned lab is really there: namespaces with charon and bird still running in them.
    const orphaned = (await listNetns()).filter((name) => name.startsWith(`vh${labId}-`));
    expect(orphaned.length).toBe(9);
    const pids = (await Promise.all(orphaned.map((ns) => netnsPids(ns)))).flat();
    expect(pids.length).toBeGreaterThanOrEqual(4);

    const started = performance.now();
    const cleaned = await cleanupStale();
    report(
      `kill -9 cleanup: lab ${labId}, ${cleaned.namespaces.length} namespaces, ` +
        `${cleaned.processesStopped} processes, ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(cleaned.labs).toContain(labId);
    const leaks = await findLeaks({ labId });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
    expect(await rootSnapshot()).toEqual(baseline);
  });

  it('Ctrl-C (SIGINT) of the builder: it tears its own lab down before exiting', async () => {
    const { child, labId, exited } = await labBuildingChild(['--destroy-on-signal']);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const leaks = await findLeaks({ labId });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
  });
});

function fmt(ms: number | undefined): string {
  return ms === undefined ? 'never' : (ms / 1000).toFixed(2);
}
