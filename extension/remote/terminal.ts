// A machine's shell as a VS Code Pseudoterminal: an SSH shell channel with a PTY that
// follows the panel's size. The channel's exit code closes the terminal; a dropped
// tunnel leaves the terminal open with a message, and any key reconnects.
import type { ClientChannel } from 'ssh2';
import * as vscode from 'vscode';
import { errorMessage } from '../log';
import { shellQuote } from '../util/shell';
import { PromptWatch } from './prompt-watch';
import type { MachineSessions } from './ssh-session';
import { terminalName } from './terminal-name';
import type { MachineRef } from './uri';

export class MachinePty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;

  private channel: ClientChannel | undefined;
  private size: vscode.TerminalDimensions = { columns: 80, rows: 24 };
  private state: 'connecting' | 'open' | 'lost' | 'closed' = 'connecting';
  /** A command that finished may have done what a task checks for. */
  private readonly prompt = new PromptWatch();

  constructor(
    private readonly sessions: MachineSessions,
    readonly ref: MachineRef,
    private readonly log: vscode.LogOutputChannel,
    private readonly cwd?: string,
  ) {}

  open(initial: vscode.TerminalDimensions | undefined): void {
    if (initial) this.size = initial;
    void this.connect();
  }

  private async connect(): Promise<void> {
    this.state = 'connecting';
    try {
      const session = await this.sessions.get(this.ref);
      const ch = await session.shell({ term: 'xterm-256color', cols: this.size.columns, rows: this.size.rows, width: 0, height: 0 });
      // A dead tunnel never closes the channel itself; the session says so.
      const gone = session.onDidClose((why) => {
        if (this.channel !== ch) return;
        this.channel = undefined;
        this.lost(why);
      });
      ch.on('close', () => {
        gone.dispose();
      });
      if (this.isClosed()) {
        ch.close();
        return;
      }
      this.channel = ch;
      this.state = 'open';
      let exitCode: number | undefined;
      ch.on('data', (d: Buffer) => {
        const text = d.toString('utf8');
        this.writeEmitter.fire(text);
        if (this.prompt.output(text)) this.sessions.changes.notify(this.ref, 'terminal');
      });
      ch.stderr.on('data', (d: Buffer) => this.writeEmitter.fire(d.toString('utf8')));
      ch.on('exit', (code: number | null) => (exitCode = code ?? undefined));
      ch.on('close', () => {
        this.channel = undefined;
        if (this.state === 'closed') return;
        if (exitCode !== undefined) {
          // The shell ended (exit, Ctrl-D): close the terminal with its status.
          this.state = 'closed';
          this.closeEmitter.fire(exitCode);
        } else {
          this.lost('the connection closed');
        }
      });
      if (this.cwd) ch.write(`cd ${shellQuote(this.cwd)} && clear\n`);
    } catch (err) {
      this.lost(errorMessage(err));
    }
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private lost(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'lost';
    this.log.warn(`terminal ${terminalName(this.ref)}: ${reason}`);
    this.writeEmitter.fire(`\r\n\x1b[33m[Sandlot: connection to ${this.ref.machine} lost: ${reason}. Press any key to reconnect.]\x1b[0m\r\n`);
  }

  handleInput(data: string): void {
    if (this.state === 'lost') {
      this.writeEmitter.fire('\x1b[2m[reconnecting…]\x1b[0m\r\n');
      void this.connect();
      return;
    }
    this.prompt.input(data);
    this.channel?.write(data);
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    this.size = d;
    this.channel?.setWindow(d.rows, d.columns, 0, 0);
  }

  close(): void {
    this.state = 'closed';
    this.channel?.close();
    this.channel = undefined;
  }
}

export function openMachineTerminal(sessions: MachineSessions, ref: MachineRef, log: vscode.LogOutputChannel, cwd?: string): vscode.Terminal {
  const terminal = vscode.window.createTerminal({
    name: terminalName(ref),
    pty: new MachinePty(sessions, ref, log, cwd),
    iconPath: new vscode.ThemeIcon('vm'),
  });
  terminal.show();
  return terminal;
}
