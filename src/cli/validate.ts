import type { Command } from 'commander';
import { formatIssue, summarizeTopology, type TopologyIssue } from '../model/index.ts';
import { loadTopologyFile } from '../model/load-file.ts';

/**
 * `vwan-ha validate <file>`: `ok: <summary>` plus warnings and exit 0, or the
 * errors one per line and exit 1. Every input problem is a line of text, never a
 * stack trace.
 */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a topology file (YAML or JSON) against the model and Azure limits')
    .argument('<file>', 'topology file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      process.exitCode = await validateCommand(file, options.json === true);
    });
}

function issueJson(issue: TopologyIssue, file: string) {
  return { ...issue, text: formatIssue(issue, file) };
}

export async function validateCommand(file: string, json: boolean): Promise<number> {
  const result = await loadTopologyFile(file);
  if (json) {
    const body = result.ok
      ? {
          ok: true,
          summary: summarizeTopology(result.topology),
          warnings: result.warnings.map((w) => issueJson(w, file)),
        }
      : {
          ok: false,
          errors: result.errors.map((e) => issueJson(e, file)),
          warnings: result.warnings.map((w) => issueJson(w, file)),
        };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    const lines = [`ok: ${summarizeTopology(result.topology)}`];
    for (const issue of result.warnings) lines.push(`warning: ${formatIssue(issue, file)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  const lines = result.errors.map((issue) => `error: ${formatIssue(issue, file)}`);
  for (const issue of result.warnings) lines.push(`warning: ${formatIssue(issue, file)}`);
  lines.push(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
  process.stderr.write(`${lines.join('\n')}\n`);
  return 1;
}
