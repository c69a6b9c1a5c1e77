// `sandlot run <template>|-f m.yaml -- <command…>`: a fresh playground for one command,
// gone when it ends (unless --keep). One connection to the agent (route `tcpRun`) does the
// create, the wait, the command and the destroy; this side only passes the streams
// (run-command.ts, which the launcher's lean entry runs too for plain command lines).
import type { Command } from 'commander';
import { CliError } from '../context';
import { runOneShot, type RunOptions } from '../run-command';

export function register(program: Command): void {
  program
    .command('run')
    .description('start a playground, run one command in it with this terminal, then destroy it (docker run --rm, for playgrounds)')
    .usage('<template>|-f <manifest> [options] -- <command...>')
    .argument('[template]', 'template name (see `sandlot templates`); omit with -f')
    .argument('[command...]', 'the command and its arguments, after --')
    .option('-f, --file <manifest>', 'playground manifest (kind: playground)')
    .option('-i, --input <key=value>', "a value of the manifest's init conditions (repeatable)", (v: string, all: string[]) => [...all, v], [])
    .option('--machine <name>', 'the machine that runs the command (default: the first)')
    .option('--user <name>', "login user (default: the machine's default user)")
    .option('--lifetime <minutes>', 'lifetime of a kept playground in minutes (default 120)')
    .option('--keep', 'keep the playground after the command ends')
    .option('--json', "print {playground, exitCode, kept, stdout, stderr} as JSON instead of passing the command's output through")
    .action(async (template: string | undefined, words: string[], o: RunOptions) => {
      // commander fills [template] first, also from the words after `--`: split at `--` in the command line itself.
      const dashes = process.argv.indexOf('--');
      const operands = [template, ...words].filter((w) => w !== undefined);
      const split = operands.length - (dashes >= 0 ? process.argv.length - dashes - 1 : 0);
      const name = split > 0 ? operands[0] : undefined;
      const command = operands.slice(Math.max(split, 0));
      if (dashes < 0 && operands.length > 1) throw new CliError(`run: put -- before the command: sandlot run ${operands[0]} -- ${operands.slice(1).join(' ')}`);
      if (split > 1) throw new CliError(`run: expected one template name before --, got ${operands.slice(0, split).join(' ')}`);
      await runOneShot(name, command, o);
    });
}
