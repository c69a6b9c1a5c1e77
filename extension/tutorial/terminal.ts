// "Run in terminal": types a code block into the machine's Sandlot terminal, opening one
// when there is none. A new terminal's SSH shell takes a moment to open and input sent
// before that is lost, so we wait for its first output (the prompt) before typing.
import * as vscode from 'vscode';
import { MachinePty } from '../remote/terminal';
import { terminalName } from '../remote/terminal-name';
import type { MachineSessions } from '../remote/ssh-session';
import type { MachineRef } from '../remote/uri';

/** Long enough for a cold SSH handshake through the agent tunnel on a loaded host. */
const SHELL_READY_TIMEOUT_MS = 15_000;

export async function runInMachineTerminal(
  sessions: MachineSessions,
  ref: MachineRef,
  log: vscode.LogOutputChannel,
  command: string,
  interrupt = false,
): Promise<void> {
  const name = terminalName(ref);
  let terminal = vscode.window.terminals.find((t) => t.name === name && t.exitStatus === undefined);
  if (!terminal) {
    const pty = new MachinePty(sessions, ref, log);
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => (sub.dispose(), resolve(false)), SHELL_READY_TIMEOUT_MS);
      const sub = pty.onDidWrite(() => (clearTimeout(timer), sub.dispose(), resolve(true)));
    });
    terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('vm') });
    terminal.show(true);
    if (!(await ready)) throw new Error(`the shell of ${ref.machine} did not answer within ${SHELL_READY_TIMEOUT_MS / 1000} s`);
  }
  terminal.show(true);
  if (interrupt) terminal.sendText('\x03', false);
  // One line per command line; sendText adds the final newline.
  terminal.sendText(command.replace(/\r?\n$/, ''), true);
}
