// `sandlot agent`: runs the host agent in the foreground.
import type { Command } from 'commander';
import type { DriverName } from '../../api/protocol';
import { DRIVER_NAMES } from '../../drivers/registry';
import { startAgent } from '../../server/run';
import { CliError } from '../context';

export function register(program: Command, version: string): void {
  program
    .command('agent')
    .description('run the host agent (API on loopback or a unix socket; token in $SANDLOT_HOME/token)')
    .option('--listen <addr>', 'host:port or unix:/path', process.env.SANDLOT_LISTEN ?? '127.0.0.1:0')
    .option('--driver <name>', `default driver: ${DRIVER_NAMES.join(', ')}`, process.env.SANDLOT_DRIVER ?? 'sandbox')
    .action(async (o: { listen: string; driver: string }) => {
      if (!DRIVER_NAMES.includes(o.driver as DriverName)) throw new CliError(`--driver: expected one of ${DRIVER_NAMES.join(', ')}, got "${o.driver}"`);
      const agent = await startAgent({ listen: o.listen, driver: o.driver as DriverName, version });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await agent.stop();
      process.exit(0);
    });
}
