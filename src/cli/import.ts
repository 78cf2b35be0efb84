import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  type ArmFile,
  formatImportIssue,
  type ImportIssue,
  type ImportOptions,
  type ImportResult,
  importArm,
  importVpnConfig,
  locateIssues,
  parseAssignments,
  parseImportText,
} from '../import/index.ts';
import { summarizeTopology } from '../model/index.ts';

/**
 * `vwan-ha import arm <file.json…>` and `vwan-ha import vpnconfig <file.json>`: Azure's
 * files to a topology YAML that `vwan-ha validate` accepts, on stdout or in `-o`.
 * Diagnostics go to stderr, one line each with file:line:column and the JSON path;
 * exit 1 when the import fails, with nothing written. A pre-shared key is never
 * printed or written.
 */
export function registerImport(program: Command): void {
  const command = program
    .command('import')
    .description("import a topology from Azure's files (ARM resources or the VPN configuration file)");

  const collect = (value: string, previous: string[] = []) => [...previous, value];

  command
    .command('arm')
    .description(
      'ARM resources → topology: a template export ({ resources }), `az resource list` output, or single `az … show` resources; several files are merged',
    )
    .argument('<files...>', 'JSON files')
    .option('-o, --output <file>', 'write the topology here instead of stdout')
    .option('--hub <name>', 'the virtual hub to import when the files hold several')
    .option('--hub-prefix <cidr>', "the hub's address prefix, when the files have no virtualHubs resource")
    .option(
      '--vnet-prefix <vnet=cidr,…>',
      'address prefixes of a connected vnet the files do not describe (repeatable)',
      collect,
    )
    .option('--site-prefix <site=cidr,…>', "a BGP site's announced prefixes (repeatable)", collect)
    .option(
      '--single-tunnel <site[/link]=IN_0|IN_1>',
      'the device builds one tunnel only, to this instance (repeatable)',
      collect,
    )
    .option('--gateway-bgp-ips <in0,in1>', "the instances' default BGP addresses, when the files lack them")
    .option('--ignore-unknown', 'import fields vwan-ha does not know with a warning instead of failing')
    .option('--include-psk', 'report pre-shared keys (the model has no field for one, so none is written)')
    .action(async (files: string[], options: CliOptions) => {
      process.exitCode = await guarded(() => importCommand('arm', files, options));
    });

  command
    .command('vpnconfig')
    .description('the Virtual WAN "Download VPN configuration" file → topology')
    .argument('<file>', 'JSON file')
    .option('-o, --output <file>', 'write the topology here instead of stdout')
    .option(
      '--hub <addressSpace>',
      'the hub to import when the file reaches several (its AddressSpace or Region)',
    )
    .option(
      '--site-prefix <site=cidr,…>',
      "a static site's address space, or a BGP site's announced prefixes (repeatable)",
      collect,
    )
    .option(
      '--single-tunnel <site[/link]=IN_0|IN_1>',
      'the device builds one tunnel only, to this instance (repeatable)',
      collect,
    )
    .option(
      '--gateway-bgp-ips <in0,in1>',
      "the instances' default BGP addresses, when no connection in the file runs BGP",
    )
    .option('--ignore-unknown', 'import fields vwan-ha does not know with a warning instead of failing')
    .option('--include-psk', 'report pre-shared keys (the model has no field for one, so none is written)')
    .action(async (file: string, options: CliOptions) => {
      process.exitCode = await guarded(() => importCommand('vpnconfig', [file], options));
    });
}

/** A bug must still read as one line, not a stack trace (and never echo input values). */
async function guarded(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (thrown) {
    const name = thrown instanceof Error ? thrown.name : typeof thrown;
    process.stderr.write(
      `error: internal error in vwan-ha import (${name}); please report it with the command line, not the file\n`,
    );
    return 2;
  }
}

interface CliOptions {
  readonly output?: string;
  readonly hub?: string;
  readonly hubPrefix?: string;
  readonly vnetPrefix?: string[];
  readonly sitePrefix?: string[];
  readonly singleTunnel?: string[];
  readonly gatewayBgpIps?: string;
  readonly ignoreUnknown?: boolean;
  readonly includePsk?: boolean;
}

/** Text of a file Azure tooling wrote: UTF-8 (with or without BOM) or PowerShell's UTF-16. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function buildOptions(
  options: CliOptions,
): { ok: true; value: ImportOptions } | { ok: false; error: string } {
  const parsed: Record<string, Record<string, string[]>> = {};
  for (const [option, values] of [
    ['--site-prefix', options.sitePrefix],
    ['--vnet-prefix', options.vnetPrefix],
    ['--single-tunnel', options.singleTunnel],
  ] as const) {
    const result = parseAssignments(option, values ?? []);
    if (!result.ok) return result;
    parsed[option] = result.value;
  }
  const singleTunnel: Record<string, string> = {};
  for (const [key, values] of Object.entries(parsed['--single-tunnel'] ?? {})) {
    if (values.length !== 1)
      return { ok: false, error: `--single-tunnel ${key}: name one instance, IN_0 or IN_1` };
    singleTunnel[key] = values[0] as string;
  }
  const gatewayBgpIps = options.gatewayBgpIps?.split(',').map((ip) => ip.trim());
  if (gatewayBgpIps !== undefined && gatewayBgpIps.length !== 2) {
    return {
      ok: false,
      error: '--gateway-bgp-ips: give two addresses, Instance0 first: 10.0.0.12,10.0.0.13',
    };
  }
  return {
    ok: true,
    value: {
      includePsk: options.includePsk === true,
      ignoreUnknown: options.ignoreUnknown === true,
      sitePrefixes: parsed['--site-prefix'],
      vnetPrefixes: parsed['--vnet-prefix'],
      singleTunnel,
      hub: options.hub,
      hubPrefix: options.hubPrefix,
      gatewayBgpIps,
    },
  };
}

export async function importCommand(
  kind: 'arm' | 'vpnconfig',
  files: readonly string[],
  cli: CliOptions,
): Promise<number> {
  const options = buildOptions(cli);
  if (!options.ok) {
    process.stderr.write(`error: ${options.error}\n`);
    return 1;
  }
  const texts = new Map<string, string>();
  const parsed: ArmFile[] = [];
  const readErrors: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = decode(await readFile(file));
    } catch (thrown) {
      const code =
        typeof thrown === 'object' && thrown !== null && 'code' in thrown ? String(thrown.code) : '';
      readErrors.push(
        `${file}: cannot read the file${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a directory' : ''}`,
      );
      continue;
    }
    // The size and nesting limits before JSON.parse: a 100 MB file is refused, not parsed first.
    const json = parseImportText(file, text);
    if (!json.ok) {
      readErrors.push(formatImportIssue(json.issue));
      continue;
    }
    texts.set(file, json.text);
    parsed.push({ source: file, value: json.value });
  }
  if (readErrors.length > 0) {
    process.stderr.write(`${readErrors.map((line) => `error: ${line}`).join('\n')}\n`);
    return 1;
  }
  let result: ImportResult;
  if (kind === 'arm') {
    result = importArm(parsed, options.value);
  } else {
    const only = parsed[0] as ArmFile;
    result = importVpnConfig(only.source, only.value, options.value);
  }
  let issues: ImportIssue[] = [...result.issues];
  for (const [file, text] of texts) issues = locateIssues(file, text, issues);
  const rank = { error: 0, warning: 1, note: 2 } as const;
  const order = [...texts.keys()];
  issues.sort(
    (a, b) =>
      rank[a.severity] - rank[b.severity] ||
      order.indexOf(a.source) - order.indexOf(b.source) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
  const lines = issues.map((issue) => `${issue.severity}: ${formatImportIssue(issue)}`);
  if (!result.ok) {
    const errors = issues.filter((issue) => issue.severity === 'error').length;
    lines.push(`import failed: ${errors} error${errors === 1 ? '' : 's'}; nothing written`);
    process.stderr.write(`${lines.join('\n')}\n`);
    return 1;
  }
  if (cli.output !== undefined) {
    try {
      await writeFile(cli.output, result.yaml, 'utf8');
    } catch (thrown) {
      lines.push(
        `error: ${cli.output}: cannot write the file: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
      );
      process.stderr.write(`${lines.join('\n')}\n`);
      return 1;
    }
    lines.push(`ok: wrote ${cli.output}: ${summarizeTopology(result.topology)}`);
  } else {
    process.stdout.write(result.yaml);
    lines.push(`ok: ${summarizeTopology(result.topology)}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  return 0;
}
