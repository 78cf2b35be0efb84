/**
 * The lab controller of a lab left up by `vwan-ha lab up`, as a daemon of that lab:
 *   node --import tsx src/live/lab-controller-main.ts <lab directory>
 * It waits until `lab up` has handed the lab over (state.json says detached; from then
 * on this process is the only one writing it), re-plans the lab from the topology and
 * options `lab up` left in the directory, starts the BGP agents and keeps the hub's
 * routes in line with them, and writes controller.status.json once converged (with each BGP
 * session's state and, for one that is down, the last NOTIFICATION: `lab up` prints them).
 * SIGTERM (or `lab down`, which removes everything) ends it.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadTopology } from '../model/index.ts';
import { sleep } from './exec.ts';
import { LabController } from './lab-controller.ts';
import {
  CONTROLLER_STATUS_FILE,
  LAB_OPTIONS_FILE,
  LAB_TOPOLOGY_FILE,
  labOptionsSchema,
} from './lab-options.ts';
import { planLab } from './lab-plan.ts';
import { LabNetwork } from './lab-topology.ts';
import { Lab } from './netns.ts';
import { usePrivateUmask, writePrivateFileAt } from './private-files.ts';

function status(dir: string, value: Record<string, unknown>): void {
  const file = join(dir, CONTROLLER_STATUS_FILE);
  writePrivateFileAt(`${file}.tmp`, `${JSON.stringify(value)}\n`);
  renameSync(`${file}.tmp`, file);
}

async function main(): Promise<void> {
  usePrivateUmask();
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: lab-controller-main.ts <lab directory>');
  const stateFile = join(dir, 'state.json');
  for (let i = 0; ; i++) {
    const state = existsSync(stateFile)
      ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { detached?: boolean })
      : {};
    if (state.detached) break;
    if (i > 600) throw new Error('lab up never handed the lab over');
    await sleep(50);
  }
  const lab = Lab.open(basename(dir), dirname(dir));
  const options = labOptionsSchema.parse(JSON.parse(readFileSync(lab.path(LAB_OPTIONS_FILE), 'utf8')));
  const loaded = loadTopology(readFileSync(lab.path(LAB_TOPOLOGY_FILE), 'utf8'));
  if (!loaded.ok) throw new Error('the lab topology no longer loads');
  // The PSK is in the charons' swanctl files already; nothing here needs it.
  const planned = planLab(loaded.topology, {
    timers: options.timers,
    frrDevices: options.frrDevices,
    psk: '',
  });
  if (!planned.ok) throw new Error(planned.error);
  const network = LabNetwork.attach(lab, planned.plan);
  const controller = new LabController(network, {
    pollIntervalMs: options.pollIntervalMs,
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.once('SIGTERM', () => {
    void controller.stop().finally(() => process.exit(0));
  });
  status(lab.dir, { phase: 'starting', pid: process.pid });
  await controller.start();
  try {
    await controller.waitConverged(120_000);
    // Each BGP session as Azure's side sees it: `lab up` says which are down and why.
    status(lab.dir, {
      phase: 'converged',
      pid: process.pid,
      atEpochMs: Date.now(),
      sessions: controller.sessions(),
    });
  } catch (error) {
    status(lab.dir, {
      phase: 'failed',
      pid: process.pid,
      error: (error as Error).message,
      sessions: controller.sessions(),
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`lab controller: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
