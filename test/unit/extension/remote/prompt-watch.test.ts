import { describe, expect, it } from 'vitest';
import { PromptWatch } from '../../../../extension/remote/prompt-watch';

describe('PromptWatch', () => {
  it('sees the prompt come back after a command, once per command', () => {
    const w = new PromptWatch();
    // The first prompt, before anything was typed, is no finished command.
    expect(w.output('\x1b[?2004hroot@dev:~# ')).toBe(false);
    w.input('l');
    expect(w.output('l')).toBe(false);
    w.input('s\r');
    expect(w.output('s\r\n')).toBe(false);
    expect(w.output('backup  challenge\r\n')).toBe(false);
    expect(w.output('\x1b[?2004hroot@dev:~# ')).toBe(true);
    // Nothing entered since: more output ending like a prompt is not another command.
    expect(w.output('\r\nroot@dev:~# ')).toBe(false);
  });

  it('puts a prompt together from split chunks and strips colours', () => {
    const w = new PromptWatch();
    w.input('mkdir -p /root/backup\r');
    expect(w.output('\r\n\x1b[01;32mlearner@dev\x1b[00m:\x1b[01;34m~')).toBe(false);
    expect(w.output('\x1b[00m$ ')).toBe(true);
  });

  it('waits while a command runs and prints lines', () => {
    const w = new PromptWatch();
    w.input('apt-get install -y tree\r');
    expect(w.output('\r\nReading package lists... Done\r\n')).toBe(false);
    expect(w.output('Do you want to continue? [Y/n]')).toBe(false);
    expect(w.output(' y\r\nSetting up tree\r\nroot@dev:~# ')).toBe(true);
  });

  it('counts commands sent at once (a pasted block) and Ctrl-C', () => {
    const w = new PromptWatch();
    w.input('cd /tmp\rtouch a\r');
    expect(w.output('\r\nroot@dev:/tmp# ')).toBe(true);
    expect(w.output('touch a\r\nroot@dev:/tmp# ')).toBe(true);
    expect(w.output('root@dev:/tmp# ')).toBe(false);
    w.input('\x03');
    expect(w.output('^C\r\nroot@dev:/tmp# ')).toBe(true);
  });

  it('takes the shell integration mark as a finished command, whatever the prompt looks like', () => {
    const w = new PromptWatch();
    expect(w.output('done\r\n\x1b]633;D;0\x07\x1b]633;A\x07λ ')).toBe(true);
    expect(w.output('\x1b]133;D\x1b\\')).toBe(true);
  });
});
