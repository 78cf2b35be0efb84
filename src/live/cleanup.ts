/**
 * Leftovers of labs whose owner died (Ctrl-C handled too late, kill -9, a crash, a
 * power-cut of the test runner), and a checker that finds anything a lab left behind.
 *
 * A lab is stale when its owner process is gone and it was not detached on purpose
 * (`lab up` detaches; `lab down` passes `all` and removes detached labs too). A lab
 * namespace with no lab directory at all is an orphan and is always removed.
 */
import { rmSync } from 'node:fs';
import { run } from './exec.ts';
import { LAB_NETNS_PATTERN, labIdOfNetns, labRoot, listLabDirs } from './lab-state.ts';
import { deleteNetns, Lab, listNetns, netnsPids } from './netns.ts';
import { isAlive, processesMentioning } from './proc.ts';

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
      // A directory without a readable state: its namespaces (if any) are handled as orphans.
      known.delete(entry.id);
      rmSync(entry.dir, { recursive: true, force: true });
      labs.push(entry.id);
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
}

export function isClean(report: LeakReport): boolean {
  return (
    report.namespaces.length === 0 &&
    report.processes.length === 0 &&
    report.rootLinks.length === 0 &&
    report.rootNftTables.length === 0 &&
    report.dirs.length === 0
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

  return {
    namespaces,
    processes: [...processes].map(([pid, cmdline]) => ({ pid, cmdline })),
    rootLinks,
    rootNftTables,
    dirs,
  };
}
