/**
 * Leftovers of labs whose owner died (Ctrl-C handled too late, kill -9, a crash, a
 * power-cut of the test runner), and a checker that finds anything a lab left behind.
 *
 * A lab is stale when its owner process is gone and it was not detached on purpose
 * (`lab up` detaches; `lab down` passes `all` and removes detached labs too). A lab
 * namespace with no lab directory at all is an orphan and is always removed.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.ts';
import { LAB_NETNS_PATTERN, labIdOfNetns, labPrefix, labRoot, listLabDirs } from './lab-state.ts';
import { type DestroyReport, deleteNetns, Lab, listNetns, netnsPids } from './netns.ts';
import { isAlive, labToolsUnder, processesMentioning, processIdentity, stopProcess } from './proc.ts';

export interface CleanupOptions {
  readonly root?: string;
  /** Remove every lab, including detached ones and ones whose owner is alive. */
  readonly all?: boolean;
  /** Lab ids never to touch (the caller's own lab). */
  readonly keep?: readonly string[];
}

export interface CleanupReport {
  readonly labs: string[];
  readonly namespaces: string[];
  readonly processesStopped: number;
  /** Processes that ignored SIGTERM and had to be killed. */
  readonly needingKill: string[];
}

export async function cleanupStale(options: CleanupOptions = {}): Promise<CleanupReport> {
  const root = labRoot(options.root);
  const keep = new Set(options.keep ?? []);
  const labs: string[] = [];
  const namespaces: string[] = [];
  let processesStopped = 0;
  const needingKill: string[] = [];
  const known = new Set<string>();

  for (const entry of listLabDirs(root)) {
    known.add(entry.id);
    if (keep.has(entry.id)) continue;
    if (!entry.state) {
      // A directory without a readable state: removed by what its name says.
      const report = await destroyByName(entry.id, root);
      known.delete(entry.id);
      labs.push(entry.id);
      namespaces.push(...report.namespaces);
      processesStopped += report.processesStopped;
      continue;
    }
    const record = entry.state.snapshot;
    const stale = options.all || (!record.detached && !(await isAlive(record.owner)));
    if (!stale) continue;
    const report = await Lab.open(entry.id, root).destroy();
    labs.push(entry.id);
    namespaces.push(...report.namespaces);
    processesStopped += report.processesStopped;
    needingKill.push(...report.needingKill);
    known.delete(entry.id);
  }

  for (const netns of await listNetns()) {
    const id = labIdOfNetns(netns);
    if (id === undefined || keep.has(id) || known.has(id)) continue;
    processesStopped += await deleteNetns(netns);
    namespaces.push(netns);
  }
  return { labs, namespaces, processesStopped, needingKill };
}

/**
 * Tears down lab `id` (`lab down <id>`): by its state file when it can be read, else by
 * what the names say — every `vh<id>-` namespace and what runs in it, the tools still
 * working on its directory, the directory. Undefined when there is no such lab at all.
 */
export async function destroyLab(
  id: string,
  options: { root?: string } = {},
): Promise<DestroyReport | undefined> {
  const root = labRoot(options.root);
  const prefix = labPrefix(id);
  let lab: Lab | undefined;
  try {
    lab = Lab.open(id, root);
  } catch {
    lab = undefined;
  }
  if (lab) return lab.destroy();
  const present = (await listNetns()).some((name) => name.startsWith(prefix));
  if (!present && !existsSync(join(root, id))) return undefined;
  return destroyByName(id, root);
}

async function destroyByName(id: string, root: string): Promise<DestroyReport> {
  const prefix = labPrefix(id);
  const dir = join(root, id);
  const namespaces = (await listNetns()).filter((name) => name.startsWith(prefix));
  let processesStopped = (await Promise.all(namespaces.map((netns) => deleteNetns(netns)))).reduce(
    (sum, n) => sum + n,
    0,
  );
  for (const { pid } of await labToolsUnder(dir)) {
    const identity = await processIdentity(pid);
    if (identity && (await stopProcess(identity, 1000)) !== 'gone') processesStopped++;
  }
  rmSync(dir, { recursive: true, force: true });
  return { namespaces, processesStopped, needingKill: [] };
}

export interface LeakReport {
  /** Lab namespaces still present. */
  readonly namespaces: string[];
  /** Live processes inside those namespaces, or mentioning a lab directory. */
  readonly processes: { pid: number; cmdline: string }[];
  /** Links in the root namespace whose name carries a lab prefix. */
  readonly rootLinks: string[];
  /** nft tables in the root namespace with our name. */
  readonly rootNftTables: string[];
  /** Lab directories still present. */
  readonly dirs: string[];
  /** Mounts of lab namespaces (`/run/netns/vh<id>-…`) or under the lab root. */
  readonly mounts: string[];
}

export function isClean(report: LeakReport): boolean {
  return (
    report.namespaces.length === 0 &&
    report.processes.length === 0 &&
    report.rootLinks.length === 0 &&
    report.rootNftTables.length === 0 &&
    report.dirs.length === 0 &&
    report.mounts.length === 0
  );
}

/** Mount points of this process's mount namespace (/proc/self/mountinfo, field 5, octal escapes decoded). */
export function mountPoints(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined && field !== '')
    .map((field) =>
      field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
    );
}

/** Everything with the project's prefix (or one lab's, when `labId` is given) that still exists. */
export async function findLeaks(options: { root?: string; labId?: string } = {}): Promise<LeakReport> {
  const root = labRoot(options.root);
  const prefix = options.labId === undefined ? undefined : `vh${options.labId}-`;
  const ours = (name: string): boolean => (prefix ? name.startsWith(prefix) : LAB_NETNS_PATTERN.test(name));

  const namespaces = (await listNetns()).filter(ours);
  const processes = new Map<number, string>();
  for (const netns of namespaces) {
    for (const pid of await netnsPids(netns)) processes.set(pid, `(in ${netns})`);
  }
  const needle = options.labId === undefined ? `${root}/` : `${root}/${options.labId}/`;
  for (const p of await processesMentioning(needle)) processes.set(p.pid, p.cmdline);

  const links = await run(['ip', '-o', 'link', 'show'], { check: false });
  const rootLinks = links.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter(
      (name): name is string =>
        name !== undefined && (prefix ? name.startsWith(prefix) : /^vh[a-z0-9]{4}-/.test(name)),
    );

  const tables = await run(['nft', 'list', 'tables'], { check: false });
  const rootNftTables = tables.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^table \S+ vwanha/.test(line));

  const dirs = listLabDirs(root)
    .filter((entry) => options.labId === undefined || entry.id === options.labId)
    .map((entry) => entry.dir);

  const labDir = options.labId === undefined ? undefined : `${root}/${options.labId}`;
  const mounts = mountPoints().filter((point) => {
    const netns = /^\/run\/netns\/([^/]+)$/.exec(point)?.[1];
    if (netns !== undefined && ours(netns)) return true;
    return labDir === undefined
      ? point.startsWith(`${root}/`)
      : point === labDir || point.startsWith(`${labDir}/`);
  });

  return {
    namespaces,
    processes: [...processes].map(([pid, cmdline]) => ({ pid, cmdline })),
    rootLinks,
    rootNftTables,
    dirs,
    mounts,
  };
}
