import type { Command } from 'commander';
import { cleanupStale, findLeaks, isClean } from '../live/cleanup.ts';
import { formatDoctorReport, runDoctor } from '../live/doctor.ts';

/**
 * `vwan-ha lab …`: the live lab (network namespaces, strongSwan, BIRD, real traffic).
 *   lab doctor   what this machine has and lacks for the lab, and the apt-get line to fix it
 *   lab cleanup  remove every lab's namespaces, processes and directories (also after a crash)
 * `lab up` / `lab down` arrive with the topology realisation.
 */
export function registerLabCommands(program: Command): void {
  const lab = program.command('lab').description('the live lab: real namespaces, IPsec, BGP and traffic');

  lab
    .command('doctor')
    .description('check root, kernel features and packages the live lab needs; say exactly what is missing')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await runDoctor();
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report),
      );
      process.exitCode = report.ok ? 0 : 1;
    });

  lab
    .command('cleanup')
    .description('remove every lab (namespaces, processes, lab directories), then check nothing is left')
    .option('--stale-only', 'only labs whose owner died and that were not left up on purpose')
    .action(async (options: { staleOnly?: boolean }) => {
      if (process.getuid?.() !== 0) {
        process.stderr.write('lab cleanup needs root\n');
        process.exitCode = 1;
        return;
      }
      const report = await cleanupStale({ all: options.staleOnly !== true });
      const leaks = await findLeaks();
      const lines = [
        `removed ${report.labs.length} lab(s)${report.labs.length ? `: ${report.labs.join(', ')}` : ''}`,
        `removed ${report.namespaces.length} namespace(s), stopped ${report.processesStopped} process(es)`,
      ];
      if (isClean(leaks)) lines.push('nothing left behind');
      else lines.push(`still present: ${JSON.stringify(leaks)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = isClean(leaks) || options.staleOnly ? 0 : 1;
    });
}
