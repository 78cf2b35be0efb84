import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { cleanupStale, findLeaks, isClean } from '../live/cleanup.ts';
import { formatDoctorReport, liveLabSkipReason, runDoctor } from '../live/doctor.ts';
import { sleep } from '../live/exec.ts';
import {
  CONTROLLER_STATUS_FILE,
  LAB_OPTIONS_FILE,
  LAB_TOPOLOGY_FILE,
  type LabOptionsFile,
} from '../live/lab-options.ts';
import { planLab, type TimersMode } from '../live/lab-plan.ts';
import { describeLab, formatLabRun } from '../live/lab-report.ts';
import { bringUpLab, runScenario } from '../live/lab-run.ts';
import { labRoot, listLabDirs } from '../live/lab-state.ts';
import { LabNetwork } from '../live/lab-topology.ts';
import { destroyOnSignal, Lab } from '../live/netns.ts';
import { nodeScriptArgv } from '../live/traffic/node-argv.ts';
import { formatTwin, twinFor, twinRows } from '../live/twin.ts';
import { formatIssue, loadTopology, type Topology } from '../model/index.ts';
import { loadScenarioFile } from './scenario-file.ts';
import { checkScenarioNames } from './simulate.ts';

/**
 * `vwan-ha lab …`: the live lab (network namespaces, strongSwan, BIRD/FRR, our BGP
 * speaker, real traffic).
 *   lab doctor   what this machine has and lacks for the lab, and the apt-get line to fix it
 *   lab up       realise a topology and leave it running (a lab controller daemon keeps the hub's routes)
 *   lab down     tear labs down and check nothing is left
 *   lab run      bring a topology up, play a scenario on it with real traffic, tear it down, and
 *                print what was measured next to the simulator's prediction (the twin check)
 *   lab cleanup  remove every lab's namespaces, processes and directories (also after a crash)
 */
export function registerLabCommands(program: Command): void {
  const lab = program.command('lab').description('the live lab: real namespaces, IPsec, BGP and traffic');

  lab
    .command('doctor')
    .description('check root, kernel features and packages the live lab needs; say exactly what is missing')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await runDoctor();
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report),
      );
      process.exitCode = report.ok ? 0 : 1;
    });

  lab
    .command('up')
    .description(
      'realise a topology in network namespaces and leave it running (vwan-ha lab down removes it)',
    )
    .argument('<topology>', 'topology file (YAML or JSON)')
    .option(
      '--timers <timers>',
      'azure (Azure’s own BGP/DPD/platform timings) | fast (BGP 3/9 s, DPD 9 s)',
      'fast',
    )
    .option('--frr <devices>', 'devices that run FRR instead of BIRD: comma-separated names, or "all"')
    .action(async (file: string, options: LabCliOptions) => {
      process.exitCode = await labUp(file, options);
    });

  lab
    .command('down')
    .description('tear down a lab (default: every lab), then check nothing is left behind')
    .argument('[id]', 'the lab id lab up printed')
    .action(async (id: string | undefined) => {
      process.exitCode = await labDown(id);
    });

  lab
    .command('run')
    .description(
      'bring a topology up, play a scenario with real UDP flows, tear down; print measured vs simulated',
    )
    .argument('<topology>', 'topology file (YAML or JSON)')
    .requiredOption('-s, --scenario <file>', 'scenario file (YAML or JSON); real time: keep it short')
    .option('--timers <timers>', 'azure | fast', 'fast')
    .option('--frr <devices>', 'devices that run FRR instead of BIRD: comma-separated names, or "all"')
    .option('--no-phase-lock', 'apply instance failures at their time, not right after a keepalive')
    .option('--json', 'print the measured flows and the twin check as JSON')
    .option('-v, --verbose', 'print the lab controller’s events as they happen')
    .action(async (file: string, options: LabCliOptions & RunCliOptions) => {
      process.exitCode = await labRun(file, options);
    });

  lab
    .command('cleanup')
    .description('remove every lab (namespaces, processes, lab directories), then check nothing is left')
    .option('--stale-only', 'only labs whose owner died and that were not left up on purpose')
    .action(async (options: { staleOnly?: boolean }) => {
      if (process.getuid?.() !== 0) {
        process.stderr.write('lab cleanup needs root\n');
        process.exitCode = 1;
        return;
      }
      const report = await cleanupStale({ all: options.staleOnly !== true });
      const leaks = await findLeaks();
      const lines = [
        `removed ${report.labs.length} lab(s)${report.labs.length ? `: ${report.labs.join(', ')}` : ''}`,
        `removed ${report.namespaces.length} namespace(s), stopped ${report.processesStopped} process(es)`,
      ];
      if (isClean(leaks)) lines.push('nothing left behind');
      else lines.push(`still present: ${JSON.stringify(leaks)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = isClean(leaks) || options.staleOnly ? 0 : 1;
    });
}

interface LabCliOptions {
  readonly timers: string;
  readonly frr?: string;
}

interface RunCliOptions {
  readonly scenario: string;
  readonly phaseLock: boolean;
  readonly json?: boolean;
  readonly verbose?: boolean;
}

function timersOf(value: string): TimersMode | undefined {
  return value === 'azure' || value === 'fast' ? value : undefined;
}

function frrOf(value: string | undefined): readonly string[] | 'all' {
  if (value === undefined) return [];
  return value === 'all'
    ? 'all'
    : value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
}

async function loadFor(file: string): Promise<{ text: string; topology: Topology } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    process.stderr.write(
      `error: ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})\n`,
    );
    return undefined;
  }
  const loaded = loadTopology(text);
  if (!loaded.ok) {
    for (const issue of loaded.errors) process.stderr.write(`error: ${formatIssue(issue, file)}\n`);
    return undefined;
  }
  return { text, topology: loaded.topology };
}

async function ready(): Promise<boolean> {
  const reason = await liveLabSkipReason();
  if (reason) {
    process.stderr.write(`error: the live lab cannot run here: ${reason} (see vwan-ha lab doctor)\n`);
    return false;
  }
  return true;
}

function checkOptions(
  options: LabCliOptions,
  topology: Topology,
): { timers: TimersMode; frr: readonly string[] | 'all' } | undefined {
  const timers = timersOf(options.timers);
  if (!timers) {
    process.stderr.write(`error: --timers ${options.timers}: use azure or fast\n`);
    return undefined;
  }
  const frr = frrOf(options.frr);
  if (frr !== 'all') {
    const devices = topology.vpnSites.flatMap((s) => s.devices.map((d) => d.name));
    const unknown = frr.filter((name) => !devices.includes(name));
    if (unknown.length > 0) {
      process.stderr.write(
        `error: --frr: no device named ${unknown.join(', ')}; the topology has ${devices.join(', ')}\n`,
      );
      return undefined;
    }
  }
  return { timers, frr };
}

async function labUp(file: string, options: LabCliOptions): Promise<number> {
  const loaded = await loadFor(file);
  if (!loaded) return 1;
  const checked = checkOptions(options, loaded.topology);
  if (!checked || !(await ready())) return 1;
  const planned = planLab(loaded.topology, { timers: checked.timers, frrDevices: checked.frr, psk: 'check' });
  if (!planned.ok) {
    process.stderr.write(`error: ${file}: ${planned.error}\n`);
    return 1;
  }
  await cleanupStale();
  const started = performance.now();
  const lab = await Lab.create();
  const removeSignalHandler = destroyOnSignal(lab);
  try {
    const { randomBytes } = await import('node:crypto');
    const real = planLab(loaded.topology, {
      timers: checked.timers,
      frrDevices: checked.frr,
      psk: randomBytes(24).toString('base64url'),
    });
    if (!real.ok) throw new Error(real.error);
    process.stderr.write(`lab ${lab.id}: building ${real.plan.roles.length} namespaces…\n`);
    const { network } = await LabNetwork.build(lab, real.plan);
    lab.writePrivateFile(LAB_TOPOLOGY_FILE, loaded.text);
    const labOptions: LabOptionsFile = {
      timers: checked.timers,
      frrDevices: checked.frr === 'all' ? 'all' : [...checked.frr],
    };
    lab.writePrivateFile(LAB_OPTIONS_FILE, JSON.stringify(labOptions));
    lab.markUp();
    await lab.startDaemon({
      name: 'lab-controller',
      netns: network.ns('hub'),
      argv: nodeScriptArgv('../lab-controller-main.ts', [lab.dir]),
    });
    // From here on the controller daemon is the only writer of the lab's state.
    lab.detach();
    removeSignalHandler();
    const statusFile = lab.path(CONTROLLER_STATUS_FILE);
    const deadline = performance.now() + 150_000;
    for (;;) {
      const status = existsSync(statusFile)
        ? (JSON.parse(readFileSync(statusFile, 'utf8')) as { phase: string; error?: string })
        : undefined;
      if (status?.phase === 'converged') break;
      if (status?.phase === 'failed') throw new Error(`the lab did not converge: ${status.error}`);
      if (!lab.processByName('lab-controller') || performance.now() > deadline) {
        throw new Error(`the lab controller did not bring the lab up:\n${lab.logTail('lab-controller')}`);
      }
      await sleep(100);
    }
    process.stdout.write(
      [
        `lab ${lab.id} up in ${((performance.now() - started) / 1000).toFixed(1)} s (${checked.timers} timers): tunnels and BGP established, hub routes installed`,
        ...describeLab(real.plan, (role) => network.ns(role)),
        `logs and configs: ${lab.dir}   the hub's routes: sudo ip -n ${network.ns('hub')} route`,
        `tear down: sudo vwan-ha lab down ${lab.id}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    await Lab.open(lab.id)
      .destroy()
      .catch(() => undefined);
    return 1;
  }
}

async function labDown(id: string | undefined): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('lab down needs root\n');
    return 1;
  }
  if (id !== undefined) {
    if (!listLabDirs(labRoot()).some((entry) => entry.id === id)) {
      process.stderr.write(
        `error: no lab ${id} (labs: ${
          listLabDirs(labRoot())
            .map((e) => e.id)
            .join(', ') || 'none'
        })\n`,
      );
      return 1;
    }
    const report = await Lab.open(id).destroy();
    process.stdout.write(
      `lab ${id}: removed ${report.namespaces.length} namespaces, stopped ${report.processesStopped} processes\n`,
    );
  } else {
    const report = await cleanupStale({ all: true });
    process.stdout.write(
      `removed ${report.labs.length} lab(s)${report.labs.length ? `: ${report.labs.join(', ')}` : ''}\n`,
    );
  }
  const leaks = await findLeaks(id === undefined ? {} : { labId: id });
  process.stdout.write(
    isClean(leaks) ? 'nothing left behind\n' : `still present: ${JSON.stringify(leaks)}\n`,
  );
  return isClean(leaks) ? 0 : 1;
}

async function labRun(file: string, options: LabCliOptions & RunCliOptions): Promise<number> {
  const loaded = await loadFor(file);
  if (!loaded) return 1;
  const checked = checkOptions(options, loaded.topology);
  if (!checked) return 1;
  const scenario = await loadScenarioFile(options.scenario);
  if (!scenario.ok) {
    for (const e of scenario.errors) process.stderr.write(`error: ${options.scenario}: ${e}\n`);
    return 1;
  }
  const problem = checkScenarioNames(loaded.topology, scenario.scenario);
  if (problem) {
    process.stderr.write(`error: ${options.scenario}: ${problem}\n`);
    return 1;
  }
  const planned = planLab(loaded.topology, { timers: checked.timers, frrDevices: checked.frr, psk: 'check' });
  if (!planned.ok) {
    process.stderr.write(`error: ${file}: ${planned.error}\n`);
    return 1;
  }
  if (!(await ready())) return 1;
  await cleanupStale();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const lab = await Lab.create();
  destroyOnSignal(lab);
  try {
    log(`lab ${lab.id}: bringing ${loaded.topology.virtualHub.name} up (${checked.timers} timers)…`);
    const running = await bringUpLab(loaded.topology, {
      timers: checked.timers,
      frrDevices: checked.frr,
      lab,
      ...(options.verbose ? { log } : {}),
    });
    log(
      `up in ${(running.timings.totalMs / 1000).toFixed(1)} s; playing "${scenario.scenario.name}" (${scenario.scenario.duration / 1000} s)…`,
    );
    const result = await runScenario(running, scenario.scenario, {
      log,
      phaseLock: options.phaseLock,
    });
    await running.controller.stop();
    const twin = twinFor(
      running.plan.topology,
      scenario.scenario,
      running.plan.timers,
      result,
      (tunnelId) => running.plan.tunnels.find((t) => t.id === tunnelId)?.device,
    );
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            lab: result,
            simulator: {
              summary: twin.predicted.summary,
              events: twin.predicted.events,
              unmatched: twin.unmatched.summary,
            },
            phase: twin.phase,
            twin: twinRows(result, twin.predicted),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      process.stdout.write(
        `${formatLabRun(result)}\n\ntwin check (simulator, same topology, scenario and timers):\n${formatTwin(result, twin)}\n`,
      );
    }
    return twinRows(result, twin.predicted).some((row) => row.agrees === false) ? 2 : 0;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await lab.destroy();
    const leaks = await findLeaks({ labId: lab.id });
    if (!isClean(leaks)) process.stderr.write(`warning: lab ${lab.id} left ${JSON.stringify(leaks)}\n`);
  }
}
