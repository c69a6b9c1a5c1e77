import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS } from '../../../../host-agent/cli/commands';
import { commandWord, groupsFor } from '../../../../host-agent/cli/dispatch';

const program = () => new Command('sandlot').version('1.0.0').option('--agent <url>').option('--token <token>');
const group = (word: string) => COMMAND_GROUPS.find((g) => g.commands.includes(word));

describe('which command groups a command line loads', () => {
  it('finds the command past global options and their values', () => {
    expect(commandWord(['list'], program())).toBe('list');
    expect(commandWord(['--agent', 'http://127.0.0.1:1', '--token', 't', 'ls', '--json'], program())).toBe('ls');
    expect(commandWord(['--agent=http://x', 'ssh', 'pg-a'], program())).toBe('ssh');
    expect(commandWord(['--', 'list'], program())).toBeUndefined();
  });

  it('loads only the group of the command, nothing for --version, everything for help or an unknown command', () => {
    expect(groupsFor(['list', '--json'], program(), COMMAND_GROUPS)).toEqual([group('list')]);
    expect(groupsFor(['--token', 'list', 'ssh-proxy', '--stdio', 'x'], program(), COMMAND_GROUPS)).toEqual([group('ssh-proxy')]);
    expect(groupsFor(['--version'], program(), COMMAND_GROUPS)).toEqual([]);
    expect(groupsFor(['-V'], program(), COMMAND_GROUPS)).toEqual([]);
    expect(groupsFor([], program(), COMMAND_GROUPS)).toBe(COMMAND_GROUPS);
    expect(groupsFor(['--help'], program(), COMMAND_GROUPS)).toBe(COMMAND_GROUPS);
    expect(groupsFor(['help', 'list'], program(), COMMAND_GROUPS)).toBe(COMMAND_GROUPS);
    expect(groupsFor(['lst'], program(), COMMAND_GROUPS)).toBe(COMMAND_GROUPS);
  });

  it('names exactly the commands and aliases each group registers', async () => {
    for (const g of COMMAND_GROUPS) {
      const p = new Command('sandlot');
      (await g.load()).register(p, '1.0.0');
      expect(p.commands.flatMap((c) => [c.name(), ...c.aliases()]).sort()).toEqual([...g.commands].sort());
    }
    // Loading every group transforms the whole agent's sources: slow on a loaded host.
  }, 120_000);
});
