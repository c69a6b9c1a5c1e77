import * as vscode from 'vscode';
import type { AgentConnection } from '../agent-client/connection';
import { pickMachine } from '../commands/pick';
import type { MachineSessions } from './ssh-session';
import { MachinePty } from './terminal';
import { terminalName } from './terminal-name';

/** The "Sandlot Machine" terminal profile: a shell in a running machine (asks which when several run). */
export function registerTerminalProfile(agent: AgentConnection, sessions: MachineSessions, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.window.registerTerminalProfileProvider('sandlot.machine', {
    async provideTerminalProfile() {
      const t = await pickMachine(agent, undefined, 'New Sandlot Terminal');
      if (!t) return undefined;
      return new vscode.TerminalProfile({ name: terminalName(t), pty: new MachinePty(sessions, t, log), iconPath: new vscode.ThemeIcon('vm') });
    },
  });
}
