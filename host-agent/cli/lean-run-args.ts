// The `sandlot run` command lines the lean entry answers (see lean-args.ts): a template
// name or -f, the options of commands/run.ts each in a plain spelling (`--opt value`,
// `--opt=value`, `-f value`, `-i value`), then `--` and the command. Anything else — help,
// an unknown or repeated option, a value that looks like an option or is empty, a short option with its
// value attached, words before `--` beyond the template, no `--` at all — is left to the
// full CLI, whose commander parser is the reference for those lines and their errors.
import type { RunOptions } from './run-command';

export interface LeanRun {
  template?: string;
  /** The command's words (after `--`). */
  words: string[];
  options: RunOptions;
}

/** Options taking a value: their spellings and where the value goes. */
const VALUE_OPTIONS: Record<string, 'file' | 'input' | 'machine' | 'user' | 'lifetime'> = {
  '-f': 'file',
  '--file': 'file',
  '-i': 'input',
  '--input': 'input',
  '--machine': 'machine',
  '--user': 'user',
  '--lifetime': 'lifetime',
};
const FLAGS: Record<string, 'keep' | 'json'> = { '--keep': 'keep', '--json': 'json' };

/** `args`: what follows `run`. */
export function leanRun(args: readonly string[]): LeanRun | undefined {
  const options: RunOptions = { input: [] };
  const seen = new Set<string>();
  let template: string | undefined;
  const dashes = args.indexOf('--');
  if (dashes < 0) return undefined;
  for (let i = 0; i < dashes; i++) {
    const arg = args[i];
    if (!arg.startsWith('-')) {
      if (template !== undefined) return undefined;
      template = arg;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag in FLAGS) {
      if (eq > 0 || seen.has(FLAGS[flag])) return undefined;
      seen.add(FLAGS[flag]);
      options[FLAGS[flag]] = true;
      continue;
    }
    const key = VALUE_OPTIONS[flag];
    if (!key) return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    // A value from the next word must be a plain word before `--` (commander would read `-x` there its own way).
    if (value === undefined || value === '' || (eq < 0 && (i >= dashes || value.startsWith('-')))) return undefined;
    if (key === 'input') options.input.push(value);
    else {
      if (seen.has(key)) return undefined;
      seen.add(key);
      options[key] = value;
    }
  }
  return { template, words: args.slice(dashes + 1), options };
}
