// `sandlot`: the CLI entry. It only builds the command tree (from the command groups the
// command line needs: see dispatch.ts) and turns errors into one clear line with a
// non-zero exit code.
import { Command, CommanderError } from 'commander';
import { AgentApiError, AgentUnreachableError } from '../api/client-errors';
import { ManifestError } from '../manifests/errors';
import { DriverUnavailableError } from '../drivers/protocol';
import { COMMAND_GROUPS } from './commands';
import { groupsFor } from './dispatch';
import { setGlobals } from './globals';
import { errorMessage } from '../util/errors';
import { CliError } from './errors';
import { VERSION } from './version';

async function main(argv: string[]): Promise<void> {
  const program = new Command('sandlot')
    .description('Throw-away Linux playgrounds: machines, SSH, tutorials.')
    .version(VERSION)
    .option('--agent <url>', 'agent URL (default: the local agent; or $SANDLOT_AGENT_URL)')
    .option('--token <token>', "agent token (default: $SANDLOT_TOKEN or the local agent's)")
    .showHelpAfterError()
    .exitOverride();
  program.hook('preAction', (cmd) => setGlobals(cmd.optsWithGlobals()));
  const groups = await Promise.all(groupsFor(argv.slice(2), program, COMMAND_GROUPS).map((g) => g.load()));
  for (const group of groups) group.register(program, VERSION);
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
    return;
  }
  const known =
    err instanceof CliError ||
    err instanceof AgentApiError ||
    err instanceof AgentUnreachableError ||
    err instanceof ManifestError ||
    err instanceof DriverUnavailableError;
  // Unexpected errors still get one line; SANDLOT_DEBUG=1 shows where they came from.
  const message = !known && process.env.SANDLOT_DEBUG && err instanceof Error ? err.stack : errorMessage(err);
  process.stderr.write(`sandlot: ${message}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
});
