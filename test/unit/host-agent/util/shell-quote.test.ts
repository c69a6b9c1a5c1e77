import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../../host-agent/util/shell-quote';

// What `sh` makes of a quoted word, as the argument it receives.
const throughShell = (quoted: string): string => spawnSync('sh', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' }).stdout;

describe('shellQuote', () => {
  it('gives the shell back exactly the word, whatever it holds', () => {
    for (const word of [
      'plain',
      '',
      'two words',
      "it's",
      "'",
      '$HOME',
      '`id`',
      '$(id)',
      'a;b',
      'a&b|c',
      '*',
      '?',
      '[ab]',
      '~',
      '~/x',
      'a=b',
      '%h',
      '-n',
      '\\',
      '"q"',
      'tab\tx',
      'new\nline',
      'ü',
      '{a,b}',
      '!x',
      '#c',
    ]) {
      expect(throughShell(shellQuote(word)), JSON.stringify(word)).toBe(word);
    }
  });

  it('leaves plain paths and options bare, so configs stay readable', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote('--stdio')).toBe('--stdio');
    expect(shellQuote('user@host:1')).toBe('user@host:1');
  });

  it('quotes what would be an assignment, a tilde or an OpenSSH token', () => {
    expect(shellQuote('A=b')).toBe("'A=b'");
    expect(shellQuote('~')).toBe("'~'");
    expect(shellQuote('%h')).toBe("'%h'");
    expect(shellQuote('')).toBe("''");
  });
});
