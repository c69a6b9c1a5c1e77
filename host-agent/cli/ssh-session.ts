// A shell or a command in a machine with this terminal attached (`sandlot ssh`,
// `sandlot start --ssh`): ssh2 through the agent's tunnel, a PTY when stdin and stdout
// are a terminal. Loaded only by the commands that open one (ssh2 is large).
import type { ClientChannel } from 'ssh2';
import type { AgentClient } from '../api/client';
import type { PlaygroundRecord } from '../api/protocol';
import { connectMachine } from '../ssh/connect';

/** Runs a shell (or a command) in a machine with the terminal attached; resolves with its exit code. */
export async function interactiveSsh(c: AgentClient, record: PlaygroundRecord, machine: string, user: string | undefined, command: string[]): Promise<number> {
  const ssh = await connectMachine(c, record, machine, user);
  const tty = process.stdin.isTTY && process.stdout.isTTY;
  const cmd = command.length > 0 ? command.join(' ') : undefined;
  const window = () => ({ cols: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24, term: process.env.TERM ?? 'xterm-256color' });
  return new Promise<number>((resolve, reject) => {
    const onChannel = (err: Error | undefined, stream: ClientChannel) => {
      if (err) return reject(err);
      let code = 0;
      const onResize = () => stream.setWindow(window().rows, window().cols, 0, 0);
      if (tty && !cmd) {
        process.stdin.setRawMode(true);
        process.stdout.on('resize', onResize);
      }
      process.stdin.pipe(stream);
      stream.pipe(process.stdout, { end: false });
      stream.stderr.pipe(process.stderr, { end: false });
      stream.on('exit', (c: number | null, signal?: string) => {
        code = c ?? (signal ? 128 + ({ HUP: 1, INT: 2, KILL: 9, TERM: 15 } as Record<string, number>)[signal] : 255);
      });
      stream.on('close', () => {
        if (tty && !cmd) {
          process.stdin.setRawMode(false);
          process.stdout.off('resize', onResize);
        }
        process.stdin.unpipe(stream);
        process.stdin.pause();
        ssh.end();
        resolve(code);
      });
    };
    if (cmd) ssh.exec(cmd, tty ? { pty: window() } : {}, onChannel);
    else if (tty) ssh.shell(window(), onChannel);
    else ssh.shell(false, onChannel);
  });
}
