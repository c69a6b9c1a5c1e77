// Which command groups a command line needs: the one that holds its command, none for a
// bare `--version`, all of them for help, no command at all, or an unknown command
// (commander then lists them or suggests the nearest).
import type { Command } from 'commander';
import type { CommandGroup } from './commands';

/** The first word of `args` that is not a global option (nor an option's value). */
export function commandWord(args: readonly string[], program: Command): string | undefined {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f) => f !== undefined)));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return undefined;
    if (!a.startsWith('-') || a === '-') return a;
    if (takesValue.has(a)) i++;
  }
  return undefined;
}

export function groupsFor(args: readonly string[], program: Command, groups: readonly CommandGroup[]): readonly CommandGroup[] {
  const word = commandWord(args, program);
  if (word === undefined) {
    const version = program.options.find((o) => o.attributeName() === 'version');
    return args.some((a) => a === version?.long || a === version?.short) ? [] : groups;
  }
  const group = groups.find((g) => g.commands.includes(word));
  return group ? [group] : groups;
}
