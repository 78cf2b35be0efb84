/**
 * Process identity from /proc, so the lab only ever signals processes it started.
 *
 * A pid alone is not an identity: after a crash and a reboot-free week the pid we
 * recorded may belong to someone else. A pid plus its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) is unique for the life of the machine.
 */
import { readdir, readFile } from 'node:fs/promises';
import { sleep } from './exec.ts';

export interface ProcessIdentity {
  readonly pid: number;
  /** Start time in clock ticks since boot, as a decimal string (it can exceed 2^53 in theory). */
  readonly startTime: string;
}

interface ProcStat {
  readonly state: string;
  readonly startTime: string;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces or ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTime = fields[19];
    if (state === undefined || startTime === undefined) return undefined;
    return { state, startTime };
  } catch {
    return undefined;
  }
}

/** The identity of a running process, or undefined if there is none with that pid. */
export async function processIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  const stat = await readStat(pid);
  return stat ? { pid, startTime: stat.startTime } : undefined;
}

/** True if some process with this pid exists and is not a zombie. */
export async function isPidAlive(pid: number): Promise<boolean> {
  const stat = await readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** True if the process recorded as `identity` still exists and is not a zombie. */
export async function isAlive(identity: ProcessIdentity): Promise<boolean> {
  const stat = await readStat(identity.pid);
  return (
    stat !== undefined && stat.startTime === identity.startTime && stat.state !== 'Z' && stat.state !== 'X'
  );
}

/** The process's command line and environment, NUL-separated fields joined by spaces. */
export async function processText(pid: number): Promise<{ cmdline: string; environ: string } | undefined> {
  try {
    const [cmdline, environ] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
      readFile(`/proc/${pid}/environ`, 'utf8').catch(() => ''),
    ]);
    return { cmdline: cmdline.split('\0').join(' ').trim(), environ: environ.split('\0').join(' ') };
  } catch {
    return undefined;
  }
}

/** All numeric entries of /proc. */
export async function allPids(): Promise<number[]> {
  const entries = await readdir('/proc');
  return entries.filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Live (non-zombie) processes whose command line or environment mentions `needle`. */
export async function processesMentioning(needle: string): Promise<{ pid: number; cmdline: string }[]> {
  const found: { pid: number; cmdline: string }[] = [];
  for (const pid of await allPids()) {
    if (pid === process.pid) continue;
    const text = await processText(pid);
    if (!text || text.cmdline === '') continue;
    if (text.cmdline.includes(needle) || text.environ.includes(needle)) {
      const stat = await readStat(pid);
      if (stat && stat.state !== 'Z') found.push({ pid, cmdline: text.cmdline });
    }
  }
  return found;
}

/**
 * Live processes whose command line names a path under `dir` (a lab directory): a
 * `swanctl --uri unix://<dir>/…` or `birdc -s <dir>/…` left running by a lab process
 * that was killed. Only these programs are considered, so a user's `less <dir>/x.log`
 * is never touched.
 */
export async function labToolsUnder(dir: string): Promise<{ pid: number; cmdline: string }[]> {
  const tools = new Set(['swanctl', 'birdc', 'vtysh', 'ip', 'nft', 'arping', 'sysctl', 'node']);
  const needle = `${dir.replace(/\/+$/, '')}/`;
  const found: { pid: number; cmdline: string }[] = [];
  for (const pid of await allPids()) {
    if (pid === process.pid) continue;
    let argv: string[];
    try {
      argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    } catch {
      continue;
    }
    const program = argv[0]?.split('/').pop() ?? '';
    if (!tools.has(program) && !/^node\d*$/.test(program)) continue;
    if (!argv.some((arg) => arg.includes(needle))) continue;
    if (await isPidAlive(pid)) found.push({ pid, cmdline: argv.join(' ') });
  }
  return found;
}

/** How a process went: it was already gone, it exited on SIGTERM, or it needed SIGKILL. */
export type StopOutcome = 'gone' | 'terminated' | 'killed';

/**
 * Stops a process we recorded: SIGTERM, then SIGKILL after `graceMs`. Does nothing if the
 * pid now belongs to another process (start time differs).
 */
export async function stopProcess(identity: ProcessIdentity, graceMs = 3000): Promise<StopOutcome> {
  if (!(await isAlive(identity))) return 'gone';
  signal(identity.pid, 'SIGTERM');
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    await sleep(25);
    if (!(await isAlive(identity))) return 'terminated';
  }
  if (!(await isAlive(identity))) return 'terminated';
  signal(identity.pid, 'SIGKILL');
  const killDeadline = performance.now() + 2000;
  while (performance.now() < killDeadline && (await isAlive(identity))) await sleep(20);
  return 'killed';
}

/** SIGKILL at once, no SIGTERM first: a silent death (a daemon that would say goodbye on SIGTERM must not). */
export async function killProcess(identity: ProcessIdentity): Promise<StopOutcome> {
  if (!(await isAlive(identity))) return 'gone';
  signal(identity.pid, 'SIGKILL');
  const deadline = performance.now() + 2000;
  while (performance.now() < deadline && (await isAlive(identity))) await sleep(10);
  return 'killed';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
