/**
 * `vwan-ha lab up` / `lab down` as a user runs them, and a `lab run` killed with -9 in
 * the middle of its scenario: nothing may be left behind either way.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupStale, findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { planLab } from '../../src/live/lab-plan.ts';
import { listNetns } from '../../src/live/netns.ts';
import { example, report } from './fixtures/lab-case.ts';
import { type RootSnapshot, rootSnapshot } from './fixtures/root-snapshot.ts';

const skipReason = await liveLabSkipReason();
if (skipReason) console.warn(`[live lab] skipped: ${skipReason}`);

const CLI = fileURLToPath(new URL('../../bin/vwan-ha.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/bgp-active-active.yaml', import.meta.url));
const SCENARIO = fileURLToPath(new URL('./scenarios/in0-unplanned.yaml', import.meta.url));

/** How many namespaces the example's lab has (every role in its plan). */
function namespaceCount(): number {
  const planned = planLab(example('bgp-active-active.yaml'), { timers: 'fast', psk: 'count' });
  if (!planned.ok) throw new Error(planned.error);
  return planned.plan.roles.length;
}

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(
  args: readonly string[],
  onStderr?: (text: string) => void,
): { child: ReturnType<typeof spawn>; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
});
