// `sandlot agent`: runs the host agent in the foreground.
import type { Command } from 'commander';
import type { DriverName } from '../../api/protocol';
import { parseDuration } from '../../content/testing/control';
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
    .option(
      '--check-interval <duration>',
      'how often pending task checks run when nothing says the machine changed (e.g. 1s, 500ms; terminals, saves and answers check at once)',
      process.env.SANDLOT_CHECK_INTERVAL ?? '1s',
    )
    .action(async (o: { listen: string; driver: string; autoSnapshotOnExpiry: boolean; checkInterval: string }) => {
      const driver = DRIVER_NAMES.find((d) => d === o.driver);
      if (!driver) throw new CliError(`--driver: expected one of ${DRIVER_NAMES.join(', ')}, got "${o.driver}"`);
      const checkIntervalMs = parseDuration(o.checkInterval);
      if (checkIntervalMs === undefined || checkIntervalMs < 100) {
        throw new CliError(`--check-interval: expected a duration of at least 100ms like 1s or 500ms, got "${o.checkInterval}"`);
      }
      const agent = await startAgent({
        listen: o.listen,
        driver: driver satisfies DriverName,
        version,
        autoSnapshotOnExpiry: o.autoSnapshotOnExpiry,
        checkIntervalMs,
      }).catch((err: unknown) => {
        throw err instanceof StateLockedError ? new CliError(err.message, EXIT_AGENT_RUNNING) : err;
      });
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
