// `sandlot run <template>|-f m.yaml -- <command…>`: a fresh playground for one command,
// gone when it ends (unless --keep). One WebSocket to the agent (route `run`) does the
// create, the wait, the command and the destroy; this side only passes the streams.
import type { Command } from 'commander';
import type { RunExit } from '../../api/run-client';
import type { RunRequest } from '../../api/run-frames';
import { CliError, printJson, withAgent } from '../context';
import { createRequest, type CreateOptions } from '../create-request';

interface RunOptions extends CreateOptions {
  machine?: string;
  user?: string;
  keep?: boolean;
  json?: boolean;
}

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
      if (name && o.file) throw new CliError(`run: give either a template name ("${name}") or -f ${o.file}, not both`);
      if (!name && !o.file) throw new CliError('run: give a template name (see `sandlot templates`) or -f manifest.yaml, then -- and the command');
      if (command.length === 0) throw new CliError('run: give the command to run after --, e.g. sandlot run linux -- hostname');
      const playground = createRequest(name, o);
      const req = { playground, machine: o.machine, user: o.user, keep: !!o.keep, command: command.join(' ') };
      const exit = await runCommand(req, !!o.json);
      if (exit.kept && !o.json) process.stderr.write(`Kept ${exit.playground.id}: sandlot ssh ${exit.playground.id}; sandlot destroy ${exit.playground.id}\n`);
      process.exitCode = exit.code;
    });
}

/** Runs with this process's streams (a terminal when stdin and stdout are one); Ctrl-C and SIGTERM cancel. */
async function runCommand(req: RunRequest, json: boolean): Promise<RunExit> {
  const tty = !json && !!process.stdin.isTTY && !!process.stdout.isTTY;
  const captured = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const handlers = {
    stdout: (b: Buffer) => (json ? captured.stdout.push(Buffer.from(b)) : process.stdout.write(b)),
    stderr: (b: Buffer) => (json ? captured.stderr.push(Buffer.from(b)) : process.stderr.write(b)),
  };
  const run = await withAgent(
    (line) => process.stderr.write(`${line}\n`),
    (c) => c.run(tty ? { ...req, tty: terminalSize() } : req, handlers),
  );
  let cancels = 0;
  const onSignal = () => {
    // The first asks the agent to stop and clean up; a second stops waiting (closing the socket still makes the agent clean up).
    if (++cancels > 1) process.exit(130);
    run.cancel();
  };
  const onResize = () => run.resize(process.stdout.columns || 80, process.stdout.rows || 24);
  const onData = (b: Buffer) => run.write(b);
  const onEnd = () => run.end();
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  if (tty) {
    process.stdin.setRawMode(true);
    process.stdout.on('resize', onResize);
  }
  process.stdin.on('data', onData).on('end', onEnd);
  try {
    const exit = await run.done;
    if (json) {
      printJson({
        playground: exit.playground,
        exitCode: exit.code,
        signal: exit.signal,
        kept: exit.kept,
        stdout: Buffer.concat(captured.stdout).toString('utf8'),
        stderr: Buffer.concat(captured.stderr).toString('utf8'),
      });
    }
    return exit;
  } finally {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    if (tty) {
      process.stdin.setRawMode(false);
      process.stdout.off('resize', onResize);
    }
    process.stdin.off('data', onData).off('end', onEnd);
    // stdin may be a pipe nobody closes: it must not keep the CLI alive.
    process.stdin.destroy();
  }
}

function terminalSize(): { cols: number; rows: number; term: string } {
  return { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24, term: process.env.TERM ?? 'xterm-256color' };
}
