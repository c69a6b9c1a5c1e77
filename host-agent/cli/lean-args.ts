// Which command lines the launcher (launch/sandlot.ts) runs through the lean entry
// (lean-main.ts) instead of the full CLI: `sandlot [--agent <url>] [--token <token>]`, then
// `list|ls [--json]` exactly, or `run` as lean-run-args.ts reads it. Anything else — help, another option, an option after the
// command that is not `--json`, a value that looks like an option — goes to the full CLI,
// whose commander parser is the reference: the lean path never has to reproduce its errors.
import type { GlobalOptions } from './globals';
import { leanRun, type LeanRun } from './lean-run-args';

export type LeanCommand = { command: 'list'; globals: GlobalOptions; json: boolean } | ({ command: 'run'; globals: GlobalOptions } & LeanRun);

const GLOBAL_OPTIONS = ['--agent', '--token'] as const;

export function leanCommand(args: readonly string[]): LeanCommand | undefined {
  const globals: GlobalOptions = {};
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const [flag, inline] = splitOption(args[i]);
    if (!isGlobal(flag)) return undefined;
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined;
    globals[flag === '--agent' ? 'agent' : 'token'] = value;
  }
  const rest = args.slice(i + 1);
  if (args[i] === 'run') {
    const run = leanRun(rest);
    return run && { command: 'run', globals, ...run };
  }
  if (args[i] !== 'list' && args[i] !== 'ls') return undefined;
  if (!rest.every((a) => a === '--json')) return undefined;
  return { command: 'list', globals, json: rest.length > 0 };
}

function splitOption(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function isGlobal(flag: string): flag is (typeof GLOBAL_OPTIONS)[number] {
  return (GLOBAL_OPTIONS as readonly string[]).includes(flag);
}
