/**
 * `vwan-ha lab up` / `lab down` / `lab run` / `lab doctor` / `lab cleanup` as a user
 * runs them, as root: nothing may be left behind — after a normal `down`, after `kill -9`
 * of `lab run`, of the lab controller daemon (also while `lab up` waits for it) and of
 * the BGP agent — and the pre-shared key appears in nothing but the 0600 swanctl.conf
 * files: not in any output (with and without --json), not in any other lab file, not
 * in any lab process's command line or environment.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupStale, findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { run, sleep } from '../../src/live/exec.ts';
import { frrTempDirsOf } from '../../src/live/frr.ts';
import { planLab } from '../../src/live/lab-plan.ts';
import { type LabStateData, labRoot } from '../../src/live/lab-state.ts';
import { listNetns, netnsPids } from '../../src/live/netns.ts';
import { isPidAlive, processText } from '../../src/live/proc.ts';
import { example, report } from './fixtures/lab-case.ts';
import { type RootSnapshot, rootSnapshot } from './fixtures/root-snapshot.ts';

const skipReason = await liveLabSkipReason();
if (skipReason) console.warn(`[live lab] skipped: ${skipReason}`);

const CLI = fileURLToPath(new URL('../../bin/vwan-ha.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/bgp-active-active.yaml', import.meta.url));
const TWO_DEVICES = fileURLToPath(new URL('../../examples/bgp-two-devices.yaml', import.meta.url));
const SCENARIO = fileURLToPath(new URL('./scenarios/in0-unplanned.yaml', import.meta.url));
const BLIP = fileURLToPath(new URL('./scenarios/device-blip.yaml', import.meta.url));

/** How many namespaces the example's lab has (every role in its plan). */
function namespaceCount(name = 'bgp-active-active.yaml'): number {
  const planned = planLab(example(name), { timers: 'fast', psk: 'count' });
  if (!planned.ok) throw new Error(planned.error);
  return planned.plan.roles.length;
}

/** A distinctive key, with characters a config or a shell would choke on if it were ever quoted raw. */
const PSK = 'vwan-ha-live-PSK:never"print\';$(id)';
const PSK_HEX = Buffer.from(PSK).toString('hex');
const PSK_VAR = 'VWAN_HA_TEST_LAB_PSK';

/** Where the key shows up in a text: raw, or hex-encoded (swanctl.conf's form). */
function pskIn(text: string): string[] {
  return [
    ...(text.includes(PSK) ? ['raw'] : []),
    ...(text.toLowerCase().includes(PSK_HEX) ? ['hex'] : []),
    ...(text.includes(`${PSK_VAR}=`) ? ['variable'] : []),
  ];
}

interface LabFileCheck {
  readonly files: number;
  readonly withKey: string[];
  /** Anything not root's only: a directory that is not 0700, a file or socket that is not 0600. */
  readonly loose: string[];
  /** Files other than a swanctl.conf holding the key (raw or hex), or a swanctl.conf holding it raw. */
  readonly leaking: string[];
}

/** Walks a lab directory: modes of everything, and where the key is. */
async function checkLabFiles(dir: string): Promise<LabFileCheck> {
  const withKey: string[] = [];
  const loose: string[] = [];
  const leaking: string[] = [];
  let files = 0;
  const walk = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => undefined);
    if (!info) return; // removed meanwhile (a restarted daemon's pid file)
    const mode = info.mode & 0o777;
    if (info.isDirectory()) {
      if (mode !== 0o700) loose.push(`${path} ${mode.toString(8)}`);
      for (const entry of await readdir(path).catch(() => [] as string[])) await walk(join(path, entry));
      return;
    }
    if (mode !== 0o600) loose.push(`${path} ${mode.toString(8)}`);
    if (!info.isFile()) return;
    files++;
    const found = pskIn(await readFile(path, 'utf8').catch(() => ''));
    if (found.length === 0) return;
    withKey.push(path);
    if (!path.endsWith('.swanctl.conf') || found.includes('raw'))
      leaking.push(`${path}: ${found.join(', ')}`);
  };
  await walk(dir);
  return { files, withKey, loose, leaking };
}

/** Command lines and environments of every process in the lab's namespaces that mention the key or its variable. */
async function processesWithKey(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const netns of (await listNetns()).filter((name) => name.startsWith(prefix))) {
    for (const pid of await netnsPids(netns)) {
      const text = await processText(pid);
      if (text && pskIn(`${text.cmdline}\n${text.environ}`).length > 0) found.push(`${pid} ${text.cmdline}`);
    }
  }
  return found;
}

function readState(dir: string): Promise<LabStateData | undefined> {
  return readFile(join(dir, 'state.json'), 'utf8').then(
    (text) => JSON.parse(text) as LabStateData,
    () => undefined,
  );
}

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(
  args: readonly string[],
  onStderr?: (text: string) => void,
  env: Record<string, string> = {},
): { child: ReturnType<typeof spawn>; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    err.push(chunk.toString());
    onStderr?.(err.join(''));
  });
  const exit = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) =>
      resolve({ code: code ?? (signal ? -1 : null), stdout: out.join(''), stderr: err.join('') }),
    ),
  );
  return { child, exit };
}

describe.skipIf(skipReason !== undefined)('live lab: lab up / lab down, and a killed lab run', () => {
  let baseline: RootSnapshot;

  it('lab up leaves a converged lab running; lab down removes every trace of it', async () => {
    await cleanupStale();
    baseline = await rootSnapshot();
    const started = performance.now();
    const up = await cli(['lab', 'up', EXAMPLE, '--timers', 'fast']).exit;
    expect(up.code, up.stderr).toBe(0);
    const id = /^lab (\w{4}) up in/m.exec(up.stdout)?.[1];
    if (!id) throw new Error(`no lab id in:\n${up.stdout}`);
    report(`lab up: ${((performance.now() - started) / 1000).toFixed(1)} s\n${up.stdout.trim()}`);
    try {
      const namespaces = (await listNetns()).filter((name) => name.startsWith(`vh${id}-`));
      expect(namespaces.length).toBe(namespaceCount());
    } finally {
      const down = await cli(['lab', 'down', id]).exit;
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toContain('nothing left behind');
    }
    expect(isClean(await findLeaks({ labId: id }))).toBe(true);
    expect(await rootSnapshot()).toEqual(baseline);
  });

  it('kill -9 of lab run in the middle of its scenario: cleanup removes everything it built', async () => {
    let labId: string | undefined;
    let playing: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      playing = resolve;
    });
    const run = cli(['lab', 'run', EXAMPLE, '-s', SCENARIO], (stderr) => {
      labId ??= /^lab (\w{4}):/m.exec(stderr)?.[1];
      if (/t=\d/.test(stderr)) playing();
    });
    void run.exit.then(() => playing());
    await started;
    run.child.kill('SIGKILL');
    await run.exit;
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (!labId) throw new Error('lab run did not start a lab');
    const before = (await listNetns()).filter((name) => name.startsWith(`vh${labId}-`));
    expect(before.length, 'the killed run left its lab behind').toBe(namespaceCount());
    const cleaned = await cleanupStale();
    expect(cleaned.labs).toContain(labId);
    const leaks = await findLeaks({ labId });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
    expect(await rootSnapshot()).toEqual(baseline);
    report(
      `killed lab run: lab ${labId} (${before.length} namespaces, ${cleaned.processesStopped} processes) cleaned up`,
    );
  });

  it('lab up --json with a PSK from the environment: the key is only in the 0600 swanctl.conf files, everything is root-only; kill -9 of an FRR daemon, a BGP agent and the lab controller, then lab down --json: nothing left behind', async () => {
    await cleanupStale();
    const before = await rootSnapshot();
    const up = await cli(
      ['lab', 'up', TWO_DEVICES, '--frr', 'branch1-fw2', '--psk-env', PSK_VAR, '--json'],
      undefined,
      { [PSK_VAR]: PSK },
    ).exit;
    expect(up.code, up.stderr).toBe(0);
    expect(pskIn(up.stdout + up.stderr)).toEqual([]);
    const shown = JSON.parse(up.stdout) as {
      id: string;
      dir: string;
      psk: { source: string; value: string };
      namespaces: { netns: string }[];
    };
    const { id, dir } = shown;
    expect(shown.psk).toMatchObject({ source: `environment variable ${PSK_VAR}`, value: '[hidden]' });
    expect(shown.namespaces).toHaveLength(namespaceCount('bgp-two-devices.yaml'));
    expect(dir).toBe(join(labRoot(), id));
    let frrPids: number[] = [];
    try {
      const files = await checkLabFiles(dir);
      expect(files.loose, 'not root-only').toEqual([]);
      expect(files.leaking, 'the key outside swanctl.conf').toEqual([]);
      // Every charon's swanctl.conf (2 instances × 2 links + 4 device ends) holds it, and nothing else does.
      expect(files.withKey.every((path) => path.endsWith('.swanctl.conf'))).toBe(true);
      expect(files.withKey).toHaveLength(8);
      expect(await processesWithKey(`vh${id}-`)).toEqual([]);

      const doctor = await cli(['lab', 'doctor']).exit;
      const doctorJson = await cli(['lab', 'doctor', '--json']).exit;
      expect(pskIn(doctor.stdout + doctor.stderr + doctorJson.stdout + doctorJson.stderr)).toEqual([]);

      // Crashes mid-run: FRR's bgpd (leaves its /var/tmp/frr crash-log directory), then a BGP agent
      // (the controller sees it go), then the lab controller daemon itself.
      const state = await readState(dir);
      if (!state) throw new Error('no state.json');
      frrPids = state.processes.filter((p) => p.name.startsWith('frr-')).map((p) => p.pid);
      expect(frrPids.length).toBe(3);
      const byName = (name: string) => {
        const found = state.processes.find((p) => p.name === name);
        if (!found) throw new Error(`no ${name} in ${state.processes.map((p) => p.name).join(', ')}`);
        return found.pid;
      };
      const bgpd = state.processes.find((p) => p.name.endsWith('-bgpd'))?.pid as number;
      process.kill(bgpd, 'SIGKILL');
      process.kill(byName('agent-in0'), 'SIGKILL');
      await sleep(1000);
      expect(frrTempDirsOf([bgpd]).length, 'a SIGKILLed bgpd leaves its crash-log directory').toBe(1);
      const controller = byName('lab-controller');
      process.kill(controller, 'SIGKILL');
      await sleep(500);
      expect(await isPidAlive(controller)).toBe(false);
    } finally {
      const down = await cli(['lab', 'down', id, '--json']).exit;
      expect(down.code, down.stdout + down.stderr).toBe(0);
      expect(pskIn(down.stdout + down.stderr)).toEqual([]);
      expect(JSON.parse(down.stdout)).toMatchObject({ labs: [id], clean: true });
    }
    const leaks = await findLeaks({ labId: id });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
    expect((await listNetns()).filter((name) => name.startsWith(`vh${id}-`))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(frrTempDirsOf(frrPids), 'FRR crash-log directories').toEqual([]);
    expect(await rootSnapshot()).toEqual(before);
    const cleanup = await cli(['lab', 'cleanup', '--stale-only', '--json']).exit;
    expect(pskIn(cleanup.stdout + cleanup.stderr)).toEqual([]);
    expect(JSON.parse(cleanup.stdout)).toMatchObject({ clean: true });
  });

  it('kill -9 of the lab controller while lab up waits for it: lab up says so at once and removes the lab', async () => {
    await cleanupStale();
    const before = await rootSnapshot();
    let labId: string | undefined;
    const up = cli(['lab', 'up', EXAMPLE], (stderr) => {
      labId ??= /^lab (\w{4}): building/m.exec(stderr)?.[1];
    });
    let exited = false;
    void up.exit.then(() => {
      exited = true;
    });
    let controller: number | undefined;
    const deadline = performance.now() + 60_000;
    while (controller === undefined && !exited && performance.now() < deadline) {
      await sleep(20);
      if (labId)
        controller = (await readState(join(labRoot(), labId)))?.processes.find(
          (p) => p.name === 'lab-controller',
        )?.pid;
    }
    if (controller === undefined) throw new Error(`lab up started no controller:\n${(await up.exit).stderr}`);
    process.kill(controller, 'SIGKILL');
    const killed = performance.now();
    const result = await up.exit;
    const tookMs = performance.now() - killed;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/the lab controller \(pid \d+\) died/);
    expect(tookMs, 'lab up noticed the dead controller').toBeLessThan(15_000);
    const leaks = await findLeaks({ labId: labId as string });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
    expect(await rootSnapshot()).toEqual(before);
    report(
      `kill -9 of the lab controller during lab up: lab up exited 1 after ${(tookMs / 1000).toFixed(1)} s, nothing left`,
    );
  });

  it('lab run --json with a PSK from the environment (FRR killed and restarted by a device failure): the key in no output, no other file, no process; nothing left', async () => {
    await cleanupStale();
    const before = await rootSnapshot();
    let labId: string | undefined;
    let playing: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      playing = resolve;
    });
    const run = cli(
      ['lab', 'run', EXAMPLE, '-s', BLIP, '--frr', 'all', '--psk-env', PSK_VAR, '--json', '-v'],
      (stderr) => {
        labId ??= /^lab (\w{4}):/m.exec(stderr)?.[1];
        if (/t=\d/.test(stderr)) playing();
      },
      { [PSK_VAR]: PSK },
    );
    let done = false;
    void run.exit.then(() => {
      done = true;
      playing();
    });
    await started;
    if (!labId) throw new Error('lab run did not start a lab');
    const dir = join(labRoot(), labId);
    const files = await checkLabFiles(dir);
    const processes = await processesWithKey(`vh${labId}-`);
    // Every FRR daemon the run starts (the device's failure kills them, its recovery starts new ones).
    const frrPids = new Set<number>();
    while (!done) {
      for (const p of (await readState(dir))?.processes ?? [])
        if (p.name.startsWith('frr-')) frrPids.add(p.pid);
      await sleep(200);
    }
    const result = await run.exit;
    expect([0, 2], result.stderr).toContain(result.code);
    expect(pskIn(result.stdout + result.stderr)).toEqual([]);
    const json = JSON.parse(result.stdout) as { lab: { flows: unknown[]; events: unknown[] } };
    expect(json.lab.events).toHaveLength(2);
    expect(files.loose, 'not root-only').toEqual([]);
    expect(files.leaking, 'the key outside swanctl.conf').toEqual([]);
    expect(files.withKey.length).toBeGreaterThan(0);
    expect(processes).toEqual([]);
    expect(frrPids.size, 'FRR restarted on recovery').toBe(6);
    const leaks = await findLeaks({ labId });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
    expect(frrTempDirsOf(frrPids), 'FRR crash-log directories').toEqual([]);
    expect(await rootSnapshot()).toEqual(before);
  });

  it('lab down <id> of a lab whose state file is unreadable: removed by its names', async () => {
    await cleanupStale();
    const id = 'zz9q';
    const dir = join(labRoot(), id);
    const netns = `vh${id}-x0`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'state.json'), '{"version": 1, "trunc', { mode: 0o600 });
    await run(['ip', 'netns', 'add', netns]);
    const sleeper = spawn('ip', ['netns', 'exec', netns, 'sleep', '600'], {
      detached: true,
      stdio: 'ignore',
    });
    sleeper.unref();
    await sleep(300);
    expect((await netnsPids(netns)).length).toBe(1);
    const down = await cli(['lab', 'down', id, '--json']).exit;
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ labs: [id], namespaces: [netns], clean: true });
    expect(isClean(await findLeaks({ labId: id }))).toBe(true);
  });
});
