// Which machine a code block's "Run in terminal" types into. Content rarely says (iximiuz
// and Killercoda code blocks carry no machine), so in a playground of several machines
// the learner's active Sandlot terminal decides: they run the step where they are working.
import { terminalName } from '../remote/terminal-name';

export function targetMachine(opts: {
  playground: string;
  machines: readonly string[];
  /** A machine the block names itself. */
  explicit?: string;
  activeTerminal?: string;
  /** The content's main machine (its first regular task's). */
  fallback?: string;
}): string | undefined {
  if (opts.explicit) return opts.explicit;
  const active = opts.machines.find((machine) => terminalName({ playground: opts.playground, machine }) === opts.activeTerminal);
  return active ?? opts.fallback ?? opts.machines[0];
}
