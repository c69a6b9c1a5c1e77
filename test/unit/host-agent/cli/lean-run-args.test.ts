import { describe, expect, it } from 'vitest';
import { leanCommand } from '../../../../host-agent/cli/lean-args';
import { leanRun } from '../../../../host-agent/cli/lean-run-args';

describe('leanRun: the `sandlot run` lines the lean entry answers', () => {
  it('reads the template or -f, every option in its plain spellings, and the command after --', () => {
    expect(leanRun(['linux', '--', 'hostname'])).toEqual({ template: 'linux', words: ['hostname'], options: { input: [] } });
    expect(
      leanRun([
        '-f',
        'm.yaml',
        '-i',
        'a=1',
        '--input',
        'b=2',
        '--input=c=3',
        '--machine',
        'beta',
        '--user=laborant',
        '--lifetime',
        '5',
        '--keep',
        '--json',
        '--',
        'echo',
        '--',
        '-x',
      ]),
    ).toEqual({
      template: undefined,
      words: ['echo', '--', '-x'],
      options: { file: 'm.yaml', input: ['a=1', 'b=2', 'c=3'], machine: 'beta', user: 'laborant', lifetime: '5', keep: true, json: true },
    });
    // Options on either side of the template; the command's own options stay the command's.
    expect(leanRun(['--keep', 'linux', '--file=x.yaml', '--', 'ls', '--help'])).toEqual({
      template: 'linux',
      words: ['ls', '--help'],
      options: { input: [], keep: true, file: 'x.yaml' },
    });
    // Lines the shared checks answer (no command, no template) are still lean: both paths say the same line.
    expect(leanRun(['linux', '--'])).toEqual({ template: 'linux', words: [], options: { input: [] } });
    expect(leanRun(['--', 'true'])).toEqual({ template: undefined, words: ['true'], options: { input: [] } });
  });

  it('leaves everything else to the full CLI (commander)', () => {
    for (const args of [
      [],
      ['linux'],
      ['linux', 'hostname'],
      ['linux', 'extra', '--', 'true'],
      ['--help'],
      ['linux', '-h', '--', 'true'],
      ['linux', '--bogus', '--', 'true'],
      ['linux', '-k', '--', 'true'],
      ['linux', '--keep=yes', '--', 'true'],
      ['linux', '--keep', '--keep', '--', 'true'],
      ['linux', '--machine', 'a', '--machine', 'b', '--', 'true'],
      ['linux', '--machine', '--', 'true'],
      ['linux', '--machine', '--user', 'x', '--', 'true'],
      ['linux', '--machine=', '--', 'true'],
      ['linux', '-ia=1', '--', 'true'],
      ['linux', '-i'],
      ['-', '--', 'true'],
    ]) {
      expect(leanRun(args), args.join(' ')).toBeUndefined();
    }
  });

  it('is what leanCommand answers for `run`, with the global options before it', () => {
    expect(leanCommand(['--agent', 'http://h:1', 'run', 'linux', '--json', '--', 'true'])).toEqual({
      command: 'run',
      globals: { agent: 'http://h:1' },
      template: 'linux',
      words: ['true'],
      options: { input: [], json: true },
    });
    expect(leanCommand(['run', '--help'])).toBeUndefined();
    expect(leanCommand(['runs', 'linux', '--', 'true'])).toBeUndefined();
  });
});
