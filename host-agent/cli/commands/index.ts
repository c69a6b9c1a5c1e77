// Every CLI command group: the commands it registers and how to load it. A command loads
// only its own group (and what that group imports), so `sandlot list` never loads the
// agent, Docker or the markdown pipeline; help loads them all. A new group adds one line.
import type { Command } from 'commander';

export interface CommandGroupModule {
  register(program: Command, version: string): void;
}

export interface CommandGroup {
  /** The names and aliases of the commands the group registers (a unit test holds the two together). */
  readonly commands: readonly string[];
  load(): Promise<CommandGroupModule>;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { commands: ['agent'], load: () => import('./agent') },
  { commands: ['templates', 'start', 'list', 'ls', 'status', 'stop', 'restart', 'destroy', 'rm', 'extend'], load: () => import('./playgrounds') },
  { commands: ['snapshot', 'snapshots', 'fork', 'save'], load: () => import('./snapshots') },
  { commands: ['run'], load: () => import('./run') },
  { commands: ['manifest'], load: () => import('./manifest') },
  { commands: ['ssh', 'ssh-proxy', 'ssh-config', 'cp', 'port-forward'], load: () => import('./ssh') },
  { commands: ['content'], load: () => import('./content') },
  { commands: ['tasks'], load: () => import('./tasks') },
  { commands: ['images'], load: () => import('./images') },
  { commands: ['doctor'], load: () => import('./doctor') },
  { commands: ['mcp'], load: () => import('./mcp') },
];
