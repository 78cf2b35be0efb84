/**
 * Running commands for the live lab.
 *
 * The lab runs as root and builds its commands from topology values, so no shell is ever
 * involved: every command is an argument array handed to `spawn` with `shell: false`, and
 * every name that ends up in an argument is checked against a strict pattern first (a
 * name such as `-n` or `a;b` is refused before it reaches `ip`).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { redactSecrets } from './secret.ts';

export interface RunOptions {
  /** Kill the command (SIGKILL) after this long; default 30 s. */
  readonly timeoutMs?: number;
  /** Extra environment, merged over the current one. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to the command's stdin, which is then closed. */
  readonly input?: string;
  /** Throw a CommandError on a non-zero exit (default true). */
  readonly check?: boolean;
  readonly cwd?: string;
}

export interface RunResult {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
}

/**
 * A command that failed, with the command line and what it printed — with any registered
 * secret hidden (secret.ts): a daemon that echoes its config must not put the PSK in a message.
 */
export class CommandError extends Error {
  readonly result: RunResult;
  constructor(result: RunResult) {
    const how = result.timedOut
      ? `timed out after ${Math.round(result.durationMs)} ms`
      : result.signal !== null
        ? `was killed by ${result.signal}`
        : `exited with ${result.exitCode}`;
    const detail = (result.stderr.trim() || result.stdout.trim()).slice(0, 2000);
    super(redactSecrets(`command ${how}: ${formatArgv(result.argv)}${detail ? `\n${detail}` : ''}`));
    this.name = 'CommandError';
    this.result = result;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Renders an argument array for messages only; it is never executed. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
}

/** Runs a command given as an argument array (never through a shell) and captures its output. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('run: empty command');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      shell: false,
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {
      // The command may exit without reading its input; its exit status tells the story.
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(redactSecrets(`cannot run ${formatArgv(argv)}: ${error.message}`)));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        argv: [...argv],
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs: performance.now() - started,
        timedOut,
      };
      if ((options.check ?? true) && (exitCode !== 0 || timedOut)) reject(new CommandError(result));
      else resolve(result);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The argument array that runs `argv` inside network namespace `netns`. */
export function netnsArgv(netns: string, argv: readonly string[]): string[] {
  assertNetnsName(netns);
  return ['ip', 'netns', 'exec', netns, ...argv];
}

/** Runs a command inside a network namespace (`ip netns exec`, which execs without forking). */
export function runIn(netns: string, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(netnsArgv(netns, argv), options);
}

// --- Names and values that end up in command arguments ------------------------------------

/** Interface names: the kernel allows 15 bytes (IFNAMSIZ - 1); we also forbid a leading dash. */
export const IFNAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,14}$/;
/** Namespace names: a lab prefix (`vh<id>-`) plus a role; short enough to read in `ip netns`. */
export const NETNS_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** Names of things inside config files (connections, BGP protocols, nft tables). */
export const IDENT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

function assertPattern(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value))
    throw new Error(`invalid ${what} ${JSON.stringify(value)}: must match ${pattern}`);
  return value;
}

export function assertIfName(value: string): string {
  return assertPattern(value, IFNAME_PATTERN, 'interface name');
}

export function assertNetnsName(value: string): string {
  return assertPattern(value, NETNS_PATTERN, 'namespace name');
}

export function assertIdent(value: string, what = 'name'): string {
  return assertPattern(value, IDENT_PATTERN, what);
}

/**
 * A deterministic name of at most `maxLength` characters for `parts` joined by dashes:
 * the joined name when it fits and is valid, otherwise a readable head plus a short hash,
 * so two long names that share a head still differ.
 */
export function shortName(parts: readonly string[], maxLength = 15): string {
  const joined = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (joined.length > 0 && joined.length <= maxLength) return joined;
  const hash = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 5);
  const head = joined.slice(0, Math.max(0, maxLength - hash.length - 1)).replace(/-+$/, '');
  return head ? `${head}-${hash}` : hash;
}

export function assertIpv4(value: string, what = 'IPv4 address'): string {
  if (!isIPv4(value)) throw new Error(`invalid ${what} ${JSON.stringify(value)}`);
  return value;
}

/** An IPv4 prefix `a.b.c.d/len`; `default` is accepted where a route destination is meant. */
export function assertCidr4(value: string, what = 'IPv4 prefix'): string {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(value);
  if (!match?.[1] || !match[2] || !isIPv4(match[1]) || Number(match[2]) > 32) {
    throw new Error(`invalid ${what} ${JSON.stringify(value)}`);
  }
  return value;
}

export function assertPort(value: number, what = 'port'): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`invalid ${what} ${value}`);
  return value;
}

/** The address part of `a.b.c.d/len`. */
export function addressOf(cidr: string): string {
  return assertCidr4(cidr).split('/')[0] as string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(intervalMs);
  }
}
