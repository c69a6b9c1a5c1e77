// `sandlot agent`: runs the host agent in the foreground.
import type { Command } from 'commander';
import type { DriverName } from '../../api/protocol';
import { DRIVER_NAMES } from '../../drivers/registry';
import { startAgent } from '../../server/run';
import { EXIT_AGENT_RUNNING, StateLockedError } from '../../server/state-lock';
import { errorMessage } from '../../util/errors';
import { CliError } from '../context';

export function register(program: Command, version: string): void {
  program
    .command('agent')
    .description('run the host agent (API on loopback or a unix socket; token in $SANDLOT_HOME/token)')
    .option('--listen <addr>', 'host:port or unix:/path', process.env.SANDLOT_LISTEN ?? '127.0.0.1:0')
    .option('--driver <name>', `default driver: ${DRIVER_NAMES.join(', ')}`, process.env.SANDLOT_DRIVER ?? 'sandbox')
    .option(
      '--auto-snapshot-on-expiry',
      'snapshot an expired playground before destroying it (autoSnapshotOnExpiry; also SANDLOT_AUTO_SNAPSHOT_ON_EXPIRY=1)',
      process.env.SANDLOT_AUTO_SNAPSHOT_ON_EXPIRY === '1',
    )
    .action(async (o: { listen: string; driver: string; autoSnapshotOnExpiry: boolean }) => {
      const driver = DRIVER_NAMES.find((d) => d === o.driver);
      if (!driver) throw new CliError(`--driver: expected one of ${DRIVER_NAMES.join(', ')}, got "${o.driver}"`);
      const agent = await startAgent({ listen: o.listen, driver: driver satisfies DriverName, version, autoSnapshotOnExpiry: o.autoSnapshotOnExpiry }).catch(
        (err: unknown) => {
          throw err instanceof StateLockedError ? new CliError(err.message, EXIT_AGENT_RUNNING) : err;
        },
      );
      const failed = agent.ready.then(
        () => undefined,
        (err: unknown) => errorMessage(err),
      );
      const signalled = new Promise<undefined>((resolve) => {
        process.once('SIGINT', () => resolve(undefined));
        process.once('SIGTERM', () => resolve(undefined));
      });
      // Ready or not, the agent runs until a signal; a failed start ends it with its reason.
      const reason = await Promise.race([failed.then((r) => r ?? signalled), signalled]);
      await agent.stop();
      if (reason) throw new CliError(reason);
      process.exit(0);
    });
}
