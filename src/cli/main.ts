import { Command } from 'commander';
import { registerCommands } from './commands.ts';

const program = new Command();
program
  .name('vwan-ha')
  .description('Azure Virtual WAN site-to-site VPN gateway high availability: simulate, analyse, see, prove.')
  .showHelpAfterError();
registerCommands(program);
await program.parseAsync(process.argv);
