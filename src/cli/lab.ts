import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  type CleanupReport,
  cleanupStale,
  destroyLab,
  findLeaks,
  isClean,
  type LeakReport,
} from '../live/cleanup.ts';
import { formatDoctorReport, liveLabSkipReason, runDoctor } from '../live/doctor.ts';
import { sleep } from '../live/exec.ts';
import type { SessionStatus } from '../live/lab-controller.ts';
import {
  CONTROLLER_STATUS_FILE,
  LAB_OPTIONS_FILE,
  LAB_TOPOLOGY_FILE,
  type LabOptionsFile,
} from '../live/lab-options.ts';
import { planLab, type TimersMode } from '../live/lab-plan.ts';
import { describeLab, describeSessions, formatLabRun, labRoles } from '../live/lab-report.ts';
import { bringUpLab, runScenario } from '../live/lab-run.ts';
import { labRoot, listLabDirs } from '../live/lab-state.ts';
import { LabNetwork } from '../live/lab-topology.ts';
import { destroyOnSignal, Lab } from '../live/netns.ts';
import { isAlive } from '../live/proc.ts';
import { MIN_REDACTED_LENGTH, redactSecrets, registerSecret, Secret } from '../live/secret.ts';
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
 *
 * The tunnels' pre-shared key is random, or read from the environment variable
 * `--psk-env` names (which is then removed from this process's environment, so no daemon
 * inherits it). It is written to the 0600 swanctl.conf files and nowhere else: every line
 * these commands print, JSON included, goes through `redactSecrets` as well.
 */
export function registerLabCommands(program: Command): void {
  const lab = program.command('lab').description('the live lab: real namespaces, IPsec, BGP and traffic');

  lab
    .command('doctor')
    .description('check root, kernel features and packages the live lab needs; say exactly what is missing')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await runDoctor();
      out(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
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
    .option(
      '--psk-env <VAR>',
      'take the tunnels’ pre-shared key from this environment variable (default: random)',
    )
    .option('--json', 'print the lab (id, directory, namespaces) as JSON')
    .action(async (file: string, options: LabCliOptions & { json?: boolean }) => {
      process.exitCode = await labUp(file, options);
    });

  lab
    .command('down')
    .description('tear down a lab (default: every lab), then check nothing is left behind')
    .argument('[id]', 'the lab id lab up printed')
    .option('--json', 'print what was removed and what is left as JSON')
    .action(async (id: string | undefined, options: { json?: boolean }) => {
      process.exitCode = await labDown(id, options.json === true);
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
    .option(
      '--psk-env <VAR>',
      'take the tunnels’ pre-shared key from this environment variable (default: random)',
    )
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
    .option('--json', 'print what was removed and what is left as JSON')
    .action(async (options: { staleOnly?: boolean; json?: boolean }) => {
      if (process.getuid?.() !== 0) {
        err('lab cleanup needs root\n');
        process.exitCode = 1;
        return;
      }
      const report = await cleanupStale({ all: options.staleOnly !== true });
      const leaks = await findLeaks();
      if (options.json) {
        out(`${JSON.stringify(removalJson(report, leaks), null, 2)}\n`);
      } else {
        const lines = [
          `removed ${report.labs.length} lab(s)${report.labs.length ? `: ${report.labs.join(', ')}` : ''}`,
          `removed ${report.namespaces.length} namespace(s), stopped ${report.processesStopped} process(es)`,
        ];
        if (isClean(leaks)) lines.push('nothing left behind');
        else lines.push(`still present: ${JSON.stringify(leaks)}`);
        out(`${lines.join('\n')}\n`);
      }
      process.exitCode = isClean(leaks) || options.staleOnly ? 0 : 1;
    });
}

/** Everything the lab commands print goes through here: a registered secret never reaches the terminal. */
function out(text: string): void {
  process.stdout.write(redactSecrets(text));
}

function err(text: string): void {
  process.stderr.write(redactSecrets(text));
}

interface LabCliOptions {
  readonly timers: string;
  readonly frr?: string;
  readonly pskEnv?: string;
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
    err(`error: ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})\n`);
    return undefined;
  }
  const loaded = loadTopology(text);
  if (!loaded.ok) {
    for (const issue of loaded.errors) err(`error: ${formatIssue(issue, file)}\n`);
    return undefined;
  }
  return { text, topology: loaded.topology };
}

async function ready(): Promise<boolean> {
  const reason = await liveLabSkipReason();
  if (reason) {
    err(`error: the live lab cannot run here: ${reason} (see vwan-ha lab doctor)\n`);
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
    err(`error: --timers ${options.timers}: use azure or fast\n`);
    return undefined;
  }
  const frr = frrOf(options.frr);
  if (frr !== 'all') {
    const devices = topology.vpnSites.flatMap((s) => s.devices.map((d) => d.name));
    const unknown = frr.filter((name) => !devices.includes(name));
    if (unknown.length > 0) {
      err(`error: --frr: no device named ${unknown.join(', ')}; the topology has ${devices.join(', ')}\n`);
      return undefined;
    }
  }
  return { timers, frr };
}

/**
 * The tunnels' pre-shared key: random, or from `--psk-env`'s variable — which is then
 * deleted from this process's environment, so no daemon the lab starts inherits it
 * (a process's environment is readable in /proc). Registered for redaction either way.
 */
async function pskFor(options: LabCliOptions): Promise<{ psk: Secret; source: string } | undefined> {
  if (options.pskEnv === undefined) {
    const { randomBytes } = await import('node:crypto');
    const psk = new Secret(randomBytes(24).toString('base64url'));
    registerSecret(psk);
    return { psk, source: 'random' };
  }
  const name = options.pskEnv;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    err(`error: --psk-env ${JSON.stringify(name)}: not an environment variable name\n`);
    return undefined;
  }
  const value = process.env[name];
  delete process.env[name];
  if (value === undefined || value === '') {
    err(`error: --psk-env ${name}: the environment variable is not set\n`);
    return undefined;
  }
  if (value.length < MIN_REDACTED_LENGTH) {
    err(
      `error: --psk-env ${name}: the key has ${value.length} characters; the lab takes at least ${MIN_REDACTED_LENGTH}, so it can keep it out of everything it prints\n`,
    );
    return undefined;
  }
  const psk = new Secret(value);
  registerSecret(psk);
  return { psk, source: `environment variable ${name}` };
}

async function labUp(file: string, options: LabCliOptions & { json?: boolean }): Promise<number> {
  const loaded = await loadFor(file);
  if (!loaded) return 1;
  const checked = checkOptions(options, loaded.topology);
  if (!checked) return 1;
  const key = await pskFor(options);
  if (!key || !(await ready())) return 1;
  const planned = planLab(loaded.topology, { timers: checked.timers, frrDevices: checked.frr, psk: key.psk });
  if (!planned.ok) {
    err(`error: ${file}: ${planned.error}\n`);
    return 1;
  }
  await cleanupStale();
  const started = performance.now();
  const lab = await Lab.create();
  // Ctrl-C before the lab is up and handed over tears it down; afterwards `lab down` does.
  const removeSignalHandler = destroyOnSignal(lab);
  try {
    const { plan } = planned;
    err(`lab ${lab.id}: building ${plan.roles.length} namespaces…\n`);
    const { network } = await LabNetwork.build(lab, plan);
    // The parsed topology, not the file: only what the schema knows (no comments, nothing else).
    lab.writePrivateFile(LAB_TOPOLOGY_FILE, JSON.stringify(loaded.topology));
    const labOptions: LabOptionsFile = {
      timers: checked.timers,
      frrDevices: checked.frr === 'all' ? 'all' : [...checked.frr],
    };
    lab.writePrivateFile(LAB_OPTIONS_FILE, JSON.stringify(labOptions));
    lab.markUp();
    const controller = await lab.startDaemon({
      name: 'lab-controller',
      netns: network.ns('hub'),
      argv: nodeScriptArgv('../lab-controller-main.ts', [lab.dir]),
    });
    // From here on the controller daemon is the only writer of the lab's state.
    lab.detach();
    const statusFile = lab.path(CONTROLLER_STATUS_FILE);
    const deadline = performance.now() + 150_000;
    let sessions: readonly SessionStatus[] = [];
    for (;;) {
      const status = existsSync(statusFile)
        ? (JSON.parse(readFileSync(statusFile, 'utf8')) as {
            phase: string;
            error?: string;
            sessions?: SessionStatus[];
          })
        : undefined;
      if (status?.phase === 'converged') {
        sessions = status.sessions ?? [];
        break;
      }
      if (status?.phase === 'failed')
        throw new Error(
          `the lab did not converge: ${status.error}${['', ...describeSessions(status.sessions ?? [])].join('\n')}`,
        );
      if (!(await isAlive(controller))) {
        throw new Error(`the lab controller (pid ${controller.pid}) died:\n${lab.logTail('lab-controller')}`);
      }
      if (performance.now() > deadline) {
        throw new Error(`the lab controller did not bring the lab up:\n${lab.logTail('lab-controller')}`);
      }
      await sleep(100);
    }
    removeSignalHandler();
    const upMs = Math.round(performance.now() - started);
    const pskNote = `pre-shared key: ${key.source}, in ${lab.dir}/*.swanctl.conf (mode 0600) only`;
    if (options.json) {
      out(
        `${JSON.stringify(
          {
            id: lab.id,
            dir: lab.dir,
            upMs,
            timers: checked.timers,
            psk: { source: key.source, value: key.psk, files: '*.swanctl.conf (mode 0600)' },
            sessions,
            namespaces: labRoles(plan).map(({ role, what }) => ({ netns: network.ns(role), role, what })),
            down: `vwan-ha lab down ${lab.id}`,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const down = sessions.filter((s) => !s.established).length;
      out(
        [
          `lab ${lab.id} up in ${(upMs / 1000).toFixed(1)} s (${checked.timers} timers): ${
            down === 0
              ? 'tunnels and BGP established, hub routes installed'
              : `tunnels established, ${down} of ${sessions.length} BGP sessions DOWN (below), hub routes installed`
          }`,
          ...describeSessions(sessions),
          ...describeLab(plan, (role) => network.ns(role)),
          `logs and configs: ${lab.dir}   the hub's routes: sudo ip -n ${network.ns('hub')} route`,
          pskNote,
          `tear down: sudo vwan-ha lab down ${lab.id}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  } catch (error) {
    removeSignalHandler();
    err(`error: ${(error as Error).message}\n`);
    await destroyLab(lab.id, { root: lab.root }).catch(() => undefined);
    return 1;
  }
}

function removalJson(
  report: Pick<CleanupReport, 'labs' | 'namespaces' | 'processesStopped'>,
  leaks: LeakReport,
): Record<string, unknown> {
  return {
    labs: report.labs,
    namespaces: report.namespaces,
    processesStopped: report.processesStopped,
    clean: isClean(leaks),
    leaks,
  };
}

async function labDown(id: string | undefined, json: boolean): Promise<number> {
  if (process.getuid?.() !== 0) {
    err('lab down needs root\n');
    return 1;
  }
  let removed: Pick<CleanupReport, 'labs' | 'namespaces' | 'processesStopped'>;
  if (id !== undefined) {
    const report = /^[a-z0-9]{4}$/.test(id) ? await destroyLab(id) : undefined;
    if (!report) {
      const labs = listLabDirs(labRoot()).map((e) => e.id);
      err(`error: no lab ${JSON.stringify(id)} (labs: ${labs.join(', ') || 'none'})\n`);
      return 1;
    }
    removed = { labs: [id], namespaces: report.namespaces, processesStopped: report.processesStopped };
  } else {
    removed = await cleanupStale({ all: true });
  }
  const leaks = await findLeaks(id === undefined ? {} : { labId: id });
  if (json) {
    out(`${JSON.stringify(removalJson(removed, leaks), null, 2)}\n`);
  } else {
    out(
      id !== undefined
        ? `lab ${id}: removed ${removed.namespaces.length} namespaces, stopped ${removed.processesStopped} processes\n`
        : `removed ${removed.labs.length} lab(s)${removed.labs.length ? `: ${removed.labs.join(', ')}` : ''}\n`,
    );
    out(isClean(leaks) ? 'nothing left behind\n' : `still present: ${JSON.stringify(leaks)}\n`);
  }
  return isClean(leaks) ? 0 : 1;
}

async function labRun(file: string, options: LabCliOptions & RunCliOptions): Promise<number> {
  const loaded = await loadFor(file);
  if (!loaded) return 1;
  const checked = checkOptions(options, loaded.topology);
  if (!checked) return 1;
  const scenario = await loadScenarioFile(options.scenario);
  if (!scenario.ok) {
    for (const e of scenario.errors) err(`error: ${options.scenario}: ${e}\n`);
    return 1;
  }
  const problem = checkScenarioNames(loaded.topology, scenario.scenario);
  if (problem) {
    err(`error: ${options.scenario}: ${problem}\n`);
    return 1;
  }
  const key = await pskFor(options);
  if (!key) return 1;
  const planned = planLab(loaded.topology, { timers: checked.timers, frrDevices: checked.frr, psk: key.psk });
  if (!planned.ok) {
    err(`error: ${file}: ${planned.error}\n`);
    return 1;
  }
  if (!(await ready())) return 1;
  await cleanupStale();
  const log = (line: string) => err(`${line}\n`);
  const lab = await Lab.create();
  destroyOnSignal(lab);
  try {
    log(`lab ${lab.id}: bringing ${loaded.topology.virtualHub.name} up (${checked.timers} timers)…`);
    const running = await bringUpLab(loaded.topology, {
      timers: checked.timers,
      frrDevices: checked.frr,
      lab,
      psk: key.psk,
      ...(options.verbose ? { log } : {}),
    });
    log(
      `up in ${(running.timings.totalMs / 1000).toFixed(1)} s; playing "${scenario.scenario.name}" (${scenario.scenario.duration / 1000} s)…`,
    );
    // Sessions that settled down (over Azure's prefix limit) and why.
    for (const line of describeSessions(running.controller.sessions().filter((s) => !s.established)))
      log(line);
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
      out(
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
      out(
        `${formatLabRun(result)}\n\ntwin check (simulator, same topology, scenario and timers):\n${formatTwin(result, twin)}\n`,
      );
    }
    return twinRows(result, twin.predicted).some((row) => row.agrees === false) ? 2 : 0;
  } catch (error) {
    err(`error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await lab.destroy();
    const leaks = await findLeaks({ labId: lab.id });
    if (!isClean(leaks)) err(`warning: lab ${lab.id} left ${JSON.stringify(leaks)}\n`);
  }
}
