// What `sandlot run` does once its command line is read, for both readers of it: the full
// CLI (commands/run.ts, commander) and the lean entry (lean-main.ts, lean-run-args.ts). One
// writer of its checks, its lines and its exit code, so both paths answer alike.
import type { RunExit } from '../api/run-client';
import type { RunRequest } from '../api/run-frames';
import { CliError, printJson, withAgent } from './context';
import { createRequest, type CreateOptions } from './create-request';

export interface RunOptions extends CreateOptions {
  machine?: string;
  user?: string;
  keep?: boolean;
  json?: boolean;
}

/** Runs `command` (its words) in a fresh playground of `template` or `-f`; sets the exit code. */
export async function runOneShot(template: string | undefined, command: readonly string[], o: RunOptions): Promise<void> {
  if (template && o.file) throw new CliError(`run: give either a template name ("${template}") or -f ${o.file}, not both`);
  if (!template && !o.file) throw new CliError('run: give a template name (see `sandlot templates`) or -f manifest.yaml, then -- and the command');
  if (command.length === 0) throw new CliError('run: give the command to run after --, e.g. sandlot run linux -- hostname');
  const playground = createRequest(template, o);
  const req = { playground, machine: o.machine, user: o.user, keep: !!o.keep, command: command.join(' ') };
  const exit = await runCommand(req, !!o.json);
  if (exit.kept && !o.json) process.stderr.write(`Kept ${exit.playground.id}: sandlot ssh ${exit.playground.id}; sandlot destroy ${exit.playground.id}\n`);
  process.exitCode = exit.code;
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
