// dist/sandlot-lean.js: the commands the launcher answers without the full CLI (see
// lean-args.ts for which: `list`, and `run` over the raw `tcpRun` route). One small
// CommonJS file — no commander, no ES module loader, no command groups, no ws — that finds
// the agent and prints through the same code as the full CLI (context.ts,
// playground-list.ts, run-command.ts, report-error.ts), so the output, the exit code and
// the error line are the same whichever path ran.
import { client } from './context';
import { setGlobals } from './globals';
import { leanCommand, type LeanCommand } from './lean-args';
import { printPlaygroundList } from './playground-list';
import { reportError } from './report-error';
import { runOneShot } from './run-command';

async function run(cmd: LeanCommand): Promise<void> {
  setGlobals(cmd.globals);
  if (cmd.command === 'run') await runOneShot(cmd.template, cmd.words, cmd.options);
  else printPlaygroundList(await client().list(), cmd.json);
}

// The launcher ran this file because leanCommand accepted the same arguments.
const cmd = leanCommand(process.argv.slice(2));
if (cmd) run(cmd).catch(reportError);
else reportError(new Error(`the lean entry cannot run: ${process.argv.slice(2).join(' ')} (run dist/sandlot.js)`));
