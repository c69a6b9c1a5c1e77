// `sandlot agent`: runs the host agent in the foreground.
import type { Command } from 'commander';
import type { DriverName } from '../../api/protocol';
import { parseDuration } from '../../content/testing/control';
import { DRIVER_NAMES } from '../../drivers/registry';
import { DEFAULT_WARM_MEMORY, parseWarmCounts, parseWarmMemory } from '../../playgrounds/warm-options';
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
    .option(
      '--warm <template=count>',
      'keep this many playgrounds of a template started ahead of demand, handed out by `start` (repeatable or comma-separated; env SANDLOT_WARM)',
      (v: string, all: string[]) => [...all, v],
      process.env.SANDLOT_WARM ? [process.env.SANDLOT_WARM] : [],
    )
    .option(
      '--warm-memory <size>',
      `memory the warm pool may hold, counted as its machines' ramSize (env SANDLOT_WARM_MEMORY)`,
      process.env.SANDLOT_WARM_MEMORY ?? DEFAULT_WARM_MEMORY,
    )
    .action(async (o: { listen: string; driver: string; autoSnapshotOnExpiry: boolean; checkInterval: string; warm: string[]; warmMemory: string }) => {
      const driver = DRIVER_NAMES.find((d) => d === o.driver);
      if (!driver) throw new CliError(`--driver: expected one of ${DRIVER_NAMES.join(', ')}, got "${o.driver}"`);
      const checkIntervalMs = parseDuration(o.checkInterval);
      if (checkIntervalMs === undefined || checkIntervalMs < 100) {
        throw new CliError(`--check-interval: expected a duration of at least 100ms like 1s or 500ms, got "${o.checkInterval}"`);
      }
      let warm: Record<string, number>;
      let warmMemoryBytes: number;
      try {
        warm = parseWarmCounts(o.warm.join(','));
        warmMemoryBytes = parseWarmMemory(o.warmMemory);
      } catch (err) {
        throw new CliError(errorMessage(err));
      }
      const agent = await startAgent({
        listen: o.listen,
        driver: driver satisfies DriverName,
        version,
        autoSnapshotOnExpiry: o.autoSnapshotOnExpiry,
        checkIntervalMs,
        warm,
        warmMemoryBytes,
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
