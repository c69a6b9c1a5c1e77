// `sandlot`: the CLI entry. It only builds the command tree (from the command groups the
// command line needs: see dispatch.ts) and turns errors into one clear line with a
// non-zero exit code.
import { Command, CommanderError } from 'commander';
import { COMMAND_GROUPS } from './commands';
import { groupsFor } from './dispatch';
import { setGlobals } from './globals';
import { reportError } from './report-error';
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
  reportError(err);
});
