import { describe, expect, it } from 'vitest';
import { leanCommand } from '../../../../host-agent/cli/lean-args';

describe('leanCommand: the command lines the launcher runs without the full CLI', () => {
  it('takes list and ls, with --json and the global options before the command', () => {
    expect(leanCommand(['list'])).toEqual({ command: 'list', globals: {}, json: false });
    expect(leanCommand(['ls', '--json'])).toEqual({ command: 'list', globals: {}, json: true });
    expect(leanCommand(['--agent', 'http://h:1', '--token', 't', 'list'])).toEqual({
      command: 'list',
      globals: { agent: 'http://h:1', token: 't' },
      json: false,
    });
    expect(leanCommand(['--agent=unix:/s', '--token=a=b', 'ls', '--json'])).toEqual({
      command: 'list',
      globals: { agent: 'unix:/s', token: 'a=b' },
      json: true,
    });
  });

  it('leaves everything else to the full CLI (commander)', () => {
    for (const args of [
      [],
      ['--version'],
      ['list', '--help'],
      ['list', '-h'],
      ['help', 'list'],
      ['list', 'extra'],
      ['list', '--json', '--agent', 'http://h:1'],
      ['list', '--'],
      ['--agent'],
      ['--agent', 'list'],
      ['--agent', '--token', 'list'],
      ['--bogus', 'list'],
      ['status'],
      ['lists'],
    ]) {
      expect(leanCommand(args), args.join(' ')).toBeUndefined();
    }
  });
});
