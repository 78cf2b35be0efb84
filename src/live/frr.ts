/**
 * FRRouting as the remote VPN device's router: zebra, bgpd and staticd in one router
 * namespace, each in the foreground with its vty sockets in its own directory inside
 * the lab directory, configured by applying the exporter's integrated frr.conf with
 * `vtysh -f` (vtysh sends each line to the daemon it belongs to).
 *
 * FRR drops privileges to `-u user -g group` and insists the user be in its vty group
 * (`frrvty`); `-u root -g frrvty` satisfies that check (getgrouplist includes the
 * group given) while the daemons keep root's access to the lab directory.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assertIdent, assertIpv4, type RunResult, run, waitFor } from './exec.ts';
import type { Lab } from './netns.ts';
import { makePrivate, makePrivateDir } from './private-files.ts';
import { isPidAlive } from './proc.ts';

const FRR_DIR = '/usr/lib/frr';
const DAEMONS = ['zebra', 'bgpd', 'staticd'] as const;

/**
 * Every FRR daemon keeps a crash-log directory `/var/tmp/frr/<daemon>.<pid>` (FRR's
 * compiled-in TMPBASEDIR, not configurable) and removes it only on a clean exit. The
 * lab SIGKILLs FRR (a device's silent death, a teardown that outlasts the grace time),
 * so after its daemons are gone it removes theirs — only for pids that were its own
 * and are no longer alive.
 */
export const FRR_TMP_DIR = '/var/tmp/frr';

export async function removeFrrTempDirs(pids: Iterable<number>, base = FRR_TMP_DIR): Promise<string[]> {
  const wanted = new Set(pids);
  if (wanted.size === 0) return [];
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = /^[a-z]+(?:-\d+)?\.(\d+)$/.exec(entry);
    if (!match) continue;
    const pid = Number(match[1]);
    if (!wanted.has(pid) || (await isPidAlive(pid))) continue;
    rmSync(join(base, entry), { recursive: true, force: true });
    removed.push(join(base, entry));
  }
  return removed;
}

/** The crash-log directories FRR left for these pids (for leak checks). */
export function frrTempDirsOf(pids: Iterable<number>, base = FRR_TMP_DIR): string[] {
  const wanted = new Set(pids);
  try {
    return readdirSync(base)
      .filter((entry) => wanted.has(Number(/^[a-z]+(?:-\d+)?\.(\d+)$/.exec(entry)?.[1])))
      .map((entry) => join(base, entry));
  } catch {
    return [];
  }
}

interface NeighborJson {
  readonly bgpState?: string;
  /** Milliseconds since the last message from the neighbour. */
  readonly bgpTimerLastRead?: number;
}

export class Frr {
  private constructor(
    readonly lab: Lab,
    readonly netns: string,
    readonly name: string,
    readonly socketDir: string,
  ) {}

  static existing(lab: Lab, netns: string, name: string): Frr {
    return new Frr(lab, netns, assertIdent(name, 'frr name'), join(lab.dir, assertIdent(name, 'frr name')));
  }

  static async start(lab: Lab, options: { netns: string; name: string; text: string }): Promise<Frr> {
    const name = assertIdent(options.name, 'frr name');
    const socketDir = makePrivateDir(join(lab.dir, name), { reuse: true });
    const empty = lab.writePrivateFile(`${name}.empty.conf`, '');
    const frr = new Frr(lab, options.netns, name, socketDir);
    for (const daemon of DAEMONS) {
      // FRR keeps the mode of files that exist: pid and log are created 0600 here.
      const pidFile = lab.writePrivateFile(`${name}-${daemon}.pid`, '');
      const logFile = lab.writePrivateFile(`${name}-${daemon}.frr.log`, '');
      await lab.startDaemon({
        name: `${name}-${daemon}`,
        netns: options.netns,
        argv: [
          join(FRR_DIR, daemon),
          '-u',
          'root',
          '-g',
          'frrvty',
          '--vty_socket',
          socketDir,
          '-z',
          join(socketDir, 'zserv.api'),
          '-i',
          pidFile,
          '-f',
          empty,
          '-P',
          '0',
          '--log',
          `file:${logFile}`,
        ],
      });
      const socket = join(socketDir, `${daemon}.vty`);
      await waitFor(`FRR ${daemon} of ${name}`, async () => (existsSync(socket) ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
      // FRR makes its vty sockets 0770 for its vty group: in the lab, root's only.
      makePrivate(socket);
    }
    const zserv = join(socketDir, 'zserv.api');
    if (existsSync(zserv)) makePrivate(zserv);
    const config = lab.writePrivateFile(`${name}.frr.conf`, options.text);
    const applied = await frr.vtysh(['-f', config], false);
    if (applied.exitCode !== 0) {
      throw new Error(`vtysh could not apply ${config}:\n${applied.stdout}${applied.stderr}`);
    }
    // The exported file logs to syslog; in the lab the daemons' own log files are enough.
    await frr.vtysh(['-c', 'configure terminal', '-c', 'no log syslog'], false);
    return frr;
  }

  vtysh(args: readonly string[], check = true): Promise<RunResult> {
    return run(['vtysh', '--vty_socket', this.socketDir, ...args], { check, timeoutMs: 15_000 });
  }

  private async neighbor(address: string): Promise<NeighborJson | undefined> {
    const { stdout } = await this.vtysh(['-c', `show bgp neighbors ${assertIpv4(address)} json`]);
    const parsed = JSON.parse(stdout) as Record<string, NeighborJson>;
    return parsed[address];
  }

  /** The BGP state of the session with `address` (Established, Active, Connect, …). */
  async bgpState(address: string): Promise<string | undefined> {
    return (await this.neighbor(address))?.bgpState;
  }

  /** How long ago the session last heard from `address` (its hold timer restarts then). */
  async sinceLastHeardMs(address: string): Promise<number | undefined> {
    return (await this.neighbor(address))?.bgpTimerLastRead;
  }

  async waitEstablished(address: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `FRR BGP ${address} Established in ${this.netns}`,
      async () => ((await this.bgpState(address)) === 'Established' ? true : undefined),
      { timeoutMs, intervalMs: 200 },
    );
  }
}
