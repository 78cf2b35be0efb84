import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  EXPORT_FORMATS,
  EXPORT_PROFILES,
  type ExportFormat,
  type ExportProfile,
  exportDevice,
  type PskSource,
} from '../export/index.ts';
import { formatIssue } from '../model/index.ts';
import { loadTopologyFile } from '../model/load-file.ts';

/**
 * `vwan-ha export device <topology> --site <name> --format strongswan-bird|strongswan-frr`:
 * the remote device's swanctl.conf, strongswan.conf, bird.conf or frr.conf, interfaces.sh
 * (and updown.sh) into `-o dir`, or all of them on stdout. Pre-shared keys are envsubst
 * placeholders unless --psk-env names a variable holding the key; then they are written
 * only into a 0600 file, never to stdout.
 */
export function registerExport(program: Command): void {
  const command = program.command('export').description('generate configurations from a topology');
  command
    .command('device')
    .description("configuration files for a site's remote VPN device (strongSwan with BIRD or FRR)")
    .argument('<topology>', 'topology file (YAML or JSON)')
    .requiredOption('--site <name>', 'the VPN site')
    .option('--device <name>', 'the device, when the site has several')
    .requiredOption('--format <format>', `${EXPORT_FORMATS.join(' | ')}`)
    .option(
      '--profile <profile>',
      `${EXPORT_PROFILES.join(' | ')}: Azure's default proposals, or the live lab's`,
      'azure',
    )
    .option('-o, --output <dir>', 'write the files into this directory (created if missing)')
    .option('--psk-env <VAR>', 'write the pre-shared key from this environment variable (needs -o)')
    .action(async (topology: string, options: ExportCliOptions) => {
      try {
        process.exitCode = await exportCommand(topology, options);
      } catch (thrown) {
        // A bug must still read as one line, not a stack trace.
        const message = thrown instanceof Error ? thrown.message : String(thrown);
        process.stderr.write(`error: internal error in vwan-ha export: ${message.split('\n')[0]}\n`);
        process.exitCode = 2;
      }
    });
}

interface ExportCliOptions {
  readonly site: string;
  readonly device?: string;
  readonly format: string;
  readonly profile: string;
  readonly output?: string;
  readonly pskEnv?: string;
}

/**
 * Writes `text` to `path` as a new file with `mode` set before anything is written, then
 * renames it into place. Rewriting the old file instead would keep its mode (a 0644
 * placeholder swanctl.conf from an earlier export), let anyone who had it open read the
 * key, and follow a symlink planted at `path`.
 */
async function writeFresh(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

function fail(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return 1;
}

export async function exportCommand(topologyFile: string, options: ExportCliOptions): Promise<number> {
  const format = EXPORT_FORMATS.find((candidate) => candidate === options.format);
  if (format === undefined)
    return fail(`--format ${options.format}: expected ${EXPORT_FORMATS.join(' or ')}`);
  const profile = EXPORT_PROFILES.find((candidate) => candidate === options.profile);
  if (profile === undefined)
    return fail(`--profile ${options.profile}: expected ${EXPORT_PROFILES.join(' or ')}`);
  let psk: PskSource = { kind: 'placeholder' };
  if (options.pskEnv !== undefined) {
    if (options.output === undefined) {
      return fail(
        '--psk-env writes the pre-shared key into swanctl.conf: give -o <dir> so it lands in a 0600 file, not on the terminal',
      );
    }
    const secret = process.env[options.pskEnv];
    if (secret === undefined || secret === '')
      return fail(`--psk-env ${options.pskEnv}: the environment variable is not set`);
    psk = { kind: 'value', secret };
  }

  const loaded = await loadTopologyFile(topologyFile);
  if (!loaded.ok) {
    const lines = loaded.errors.map((issue) => `error: ${formatIssue(issue, topologyFile)}`);
    lines.push(`${topologyFile}: not a valid topology; check it with \`vwan-ha validate ${topologyFile}\``);
    process.stderr.write(`${lines.join('\n')}\n`);
    return 1;
  }
  const result = exportDevice(loaded.topology, {
    site: options.site,
    device: options.device,
    format: format as ExportFormat,
    profile: profile as ExportProfile,
    psk,
  });
  if (!result.ok) return fail(result.error);

  if (options.output === undefined) {
    const text = result.files.map((file) => `==> ${file.name} <==\n${file.text}`).join('\n');
    process.stdout.write(text);
    return 0;
  }
  try {
    await mkdir(options.output, { recursive: true });
    for (const file of result.files) await writeFresh(join(options.output, file.name), file.text, file.mode);
  } catch (thrown) {
    return fail(
      `${options.output}: cannot write: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
  }
  const { plan } = result;
  const sessions = plan.bgpSessions.length;
  process.stdout.write(
    `ok: wrote ${result.files.map((file) => file.name).join(', ')} to ${options.output}: device ${plan.device.name}, ${plan.tunnels.length} tunnel${plan.tunnels.length === 1 ? '' : 's'}, ${sessions} BGP session${sessions === 1 ? '' : 's'}, profile ${profile}${psk.kind === 'placeholder' ? `; pre-shared keys are \${VWAN_HA_PSK_…} placeholders (see swanctl.conf)` : ''}\n`,
  );
  return 0;
}
