/**
 * The lab's record of everything it created, kept on disk so that a lab can be torn
 * down by another process (`lab down`) or after a crash (`cleanupStale`).
 *
 * Each lab owns one directory `<root>/<id>` (mode 0700) holding `state.json` (0600),
 * the daemons' configuration, sockets and logs. Every namespace is recorded *before* it
 * is created and every process right after it is spawned, so the record is never
 * missing anything that exists — at worst it names something that was never made.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ensurePrivateRoot, makePrivateDir, usePrivateUmask, writePrivateFileAt } from './private-files.ts';
import type { ProcessIdentity } from './proc.ts';

/** Labs live on tmpfs: like the namespaces they describe, they do not survive a reboot. */
export const DEFAULT_LAB_ROOT = '/run/vwan-ha';

export const LAB_ID_PATTERN = /^[a-z0-9]{4}$/;
/** Every namespace of every lab: `vh` + 4-character lab id + `-` + role. */
export const LAB_NETNS_PATTERN = /^vh([a-z0-9]{4})-[a-z0-9][a-z0-9-]*$/;

export function labRoot(root?: string): string {
  const chosen = root ?? process.env.VWAN_HA_LAB_ROOT ?? DEFAULT_LAB_ROOT;
  if (!isAbsolute(chosen))
    throw new Error(`lab root must be an absolute path, got ${JSON.stringify(chosen)}`);
  return chosen;
}

/**
 * The leading letters of a lab's namespace names: `vh` for labs (what `cleanupStale` and
 * `findLeaks` sweep); a helper that must never be swept by a concurrent lab cleanup picks
 * its own (the table-load benchmark uses `vbtl`).
 */
export const NETNS_FAMILY_PATTERN = /^[a-z]{2,6}$/;

export function labPrefix(id: string, family = 'vh'): string {
  if (!LAB_ID_PATTERN.test(id))
    throw new Error(`invalid lab id ${JSON.stringify(id)}: must match ${LAB_ID_PATTERN}`);
  if (!NETNS_FAMILY_PATTERN.test(family))
    throw new Error(`invalid namespace family ${JSON.stringify(family)}: must match ${NETNS_FAMILY_PATTERN}`);
  return `${family}${id}-`;
}

/** The lab id of a namespace name, or undefined if the namespace is not a lab's. */
export function labIdOfNetns(netns: string): string | undefined {
  return LAB_NETNS_PATTERN.exec(netns)?.[1];
}

export function randomLabId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(4)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

const processIdentitySchema = z.object({ pid: z.number().int().positive(), startTime: z.string() });

const labProcessSchema = processIdentitySchema.extend({
  name: z.string(),
  netns: z.string(),
  argv: z.array(z.string()),
  logFile: z.string().optional(),
});

const labStateSchema = z.object({
  version: z.literal(1),
  id: z.string().regex(LAB_ID_PATTERN),
  prefix: z.string(),
  dir: z.string(),
  createdAtMs: z.number(),
  owner: processIdentitySchema,
  /** Left running on purpose (e.g. by `lab up`); a dead owner then does not make it stale. */
  detached: z.boolean(),
  phase: z.enum(['building', 'up', 'destroying']),
  namespaces: z.array(z.string()),
  veths: z.array(
    z.object({ netns: z.string(), ifname: z.string(), peerNetns: z.string(), peerIfname: z.string() }),
  ),
  nftTables: z.array(z.object({ netns: z.string(), family: z.string(), name: z.string() })),
  processes: z.array(labProcessSchema),
});

export type LabProcessRecord = z.infer<typeof labProcessSchema>;
export type LabStateData = z.infer<typeof labStateSchema>;
export type LabPhase = LabStateData['phase'];

/** The on-disk record of one lab. Writes are synchronous and atomic (write + rename). */
export class LabState {
  private constructor(
    readonly dir: string,
    private data: LabStateData,
  ) {}

  /** Creates `<root>/<id>` (0700) and its state file; fails if the lab already exists. */
  static create(root: string, id: string, owner: ProcessIdentity, family = 'vh'): LabState {
    const prefix = labPrefix(id, family);
    usePrivateUmask();
    ensurePrivateRoot(root);
    const dir = makePrivateDir(join(root, id));
    const state = new LabState(dir, {
      version: 1,
      id,
      prefix,
      dir,
      createdAtMs: Date.now(),
      owner: { pid: owner.pid, startTime: owner.startTime },
      detached: false,
      phase: 'building',
      namespaces: [],
      veths: [],
      nftTables: [],
      processes: [],
    });
    state.save();
    return state;
  }

  static load(dir: string): LabState {
    usePrivateUmask();
    const parsed = labStateSchema.safeParse(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')));
    if (!parsed.success) throw new Error(`unreadable lab state in ${dir}: ${parsed.error.message}`);
    return new LabState(dir, parsed.data);
  }

  get snapshot(): Readonly<LabStateData> {
    return this.data;
  }

  update(change: (draft: LabStateData) => void): void {
    const draft = structuredClone(this.data);
    change(draft);
    this.data = draft;
    this.save();
  }

  private save(): void {
    const file = join(this.dir, 'state.json');
    // Per process: `lab down` and a lab's controller daemon may both write it.
    const temporary = `${file}.${process.pid}.tmp`;
    writePrivateFileAt(temporary, `${JSON.stringify(this.data, null, 2)}\n`);
    renameSync(temporary, file);
  }
}

/** Every lab directory under `root`, with its state if it could be read. */
export function listLabDirs(root: string): { id: string; dir: string; state?: LabState }[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  return entries
    .filter((id) => LAB_ID_PATTERN.test(id))
    .map((id) => {
      const dir = join(root, id);
      try {
        return { id, dir, state: LabState.load(dir) };
      } catch {
        return { id, dir };
      }
    });
}
