// A playground's layout (its manifest's `tabs`) as VS Code editors: `terminal` → a
// terminal in the editor area on that machine (as its default user), `ide` → the
// machine's sandlot:// folder in the workspace, `http-port` → the machine port forwarded
// (through a rewrite proxy for tls/hostRewrite/pathRewrite) and shown in a browser tab,
// `web-page` → a browser tab, `kexp` → a note on the machine's Kubernetes tooling.
// `pane: right` opens beside, `target: window` in the external browser. Opening a layout
// again reveals what is still open and reloads browser tabs; closed tabs open anew.
import * as vscode from 'vscode';
import type { PlaygroundRecord } from '../../host-agent/api/protocol';
import type { LayoutTab } from '../../host-agent/manifests/tabs';
import type { AgentConnection } from '../agent-client/connection';
import type { PortForwards } from '../commands/forwards';
import { errorMessage } from '../log';
import type { MachineSessions } from '../remote/ssh-session';
import { MachinePty } from '../remote/terminal';
import { terminalName } from '../remote/terminal-name';
import { toUriComponents, type MachineRef } from '../remote/uri';
import { DisposableStore } from '../util/disposables';
import { BrowserTab } from './browser-view';
import { HttpPortProxies } from './http-port-proxies';
import { NoteDocuments } from './kexp-note';
import { planLayout } from './layout-plan';

export interface LayoutServices {
  agent: AgentConnection;
  sessions: MachineSessions;
  forwards: PortForwards;
  log: vscode.LogOutputChannel;
  /** Keeps tabs to open after the reload an `ide` tab causes in an empty window. */
  state: vscode.Memento;
}

const PENDING = 'sandlot.pendingLayout';
/** A pending layout older than this was not for this activation (the reload never came). */
const PENDING_MAX_AGE_MS = 120_000;

interface Pending {
  record: PlaygroundRecord;
  tabs: LayoutTab[];
  at: number;
}

type Opened = { kind: 'terminal'; terminal: vscode.Terminal } | { kind: 'browser'; tab: BrowserTab };

export class PlaygroundLayouts implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly proxies: HttpPortProxies;
  private readonly notes: NoteDocuments;
  /** What each playground's layout has open, by tab id. */
  private readonly opened = new Map<string, Map<string, Opened>>();

  constructor(private readonly s: LayoutServices) {
    this.proxies = this.owned.add(new HttpPortProxies(s.agent, s.log));
    this.notes = this.owned.add(new NoteDocuments());
    this.owned.add(
      vscode.window.onDidCloseTerminal((t) => {
        for (const tabs of this.opened.values()) for (const [id, o] of tabs) if (o.kind === 'terminal' && o.terminal === t) tabs.delete(id);
      }),
    );
  }

  /** Opens the tabs; returns one line per tab that could not open (also logged). */
  async open(record: PlaygroundRecord, tabs: readonly LayoutTab[]): Promise<string[]> {
    const plan = planLayout(tabs, (vscode.workspace.workspaceFolders?.length ?? 0) > 0);
    if (plan.afterReload.length > 0) {
      const pending: Pending = { record, tabs: plan.afterReload, at: Date.now() };
      await this.s.state.update(PENDING, pending);
    }
    const failures: string[] = [];
    for (const [i, tab] of plan.now.entries()) {
      try {
        await this.openTab(record, tab, i > 0);
      } catch (err) {
        const line = `${tab.kind} tab "${tab.name}": ${errorMessage(err)}`;
        this.s.log.warn(`layout of ${record.id}: ${line}`);
        failures.push(line);
      }
    }
    // Each new editor became the visible one of its group: show the layout's first tab, as iximiuz Labs does.
    const first = plan.now[0] && this.openedOf(record.id).get(plan.now[0].id);
    if (first?.kind === 'terminal') first.terminal.show(false);
    if (first?.kind === 'browser') first.tab.panel.reveal(undefined, false);
    return failures;
  }

  /** After the reload an `ide` tab caused: the layout's other tabs. */
  async resumePending(): Promise<string[]> {
    const pending = this.s.state.get<Pending>(PENDING);
    if (!pending) return [];
    await this.s.state.update(PENDING, undefined);
    if (Date.now() - pending.at > PENDING_MAX_AGE_MS) return [];
    const record = this.s.agent.playground(pending.record.id) ?? pending.record;
    return this.open(record, pending.tabs);
  }

  private async openTab(record: PlaygroundRecord, tab: LayoutTab, preserveFocus: boolean): Promise<void> {
    const column = tab.pane === 'right' ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    const mine = this.openedOf(record.id);
    const existing = mine.get(tab.id);
    if (tab.kind === 'web-page') {
      const url = vscode.Uri.parse(tab.url);
      if (tab.target === 'window') await vscode.env.openExternal(url);
      else this.browser(mine, tab, url, column, preserveFocus);
      return;
    }
    const ref: MachineRef = { playground: record.id, machine: tab.machine };
    const machine = record.machines.find((m) => m.name === tab.machine);
    if (!machine) throw new Error(`playground ${record.id} has no machine "${tab.machine}"`);
    if (machine.state !== 'running') throw new Error(`machine ${tab.machine} is ${machine.state}`);
    switch (tab.kind) {
      case 'terminal': {
        if (existing?.kind === 'terminal') return existing.terminal.show(preserveFocus);
        const terminal = vscode.window.createTerminal({
          name: tab.name === tab.machine ? terminalName(ref) : `${tab.name} (${record.id})`,
          pty: new MachinePty(this.s.sessions, ref, this.s.log),
          iconPath: new vscode.ThemeIcon('vm'),
          location: { viewColumn: column, preserveFocus },
        });
        mine.set(tab.id, { kind: 'terminal', terminal });
        return;
      }
      case 'ide':
        return this.ide(ref, machine.home || '/');
      case 'http-port': {
        const local =
          tab.tls || tab.hostRewrite || tab.pathRewrite
            ? await this.proxies.open(ref, tab.number, { tls: tab.tls, hostRewrite: tab.hostRewrite, pathRewrite: tab.pathRewrite })
            : await this.s.forwards.forward(ref, tab.number);
        const url = await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${local}/`));
        if (tab.target === 'window') await vscode.env.openExternal(url);
        else this.browser(mine, tab, url, column, preserveFocus);
        return;
      }
      case 'kexp':
        return this.notes.openKexp(this.s.sessions, ref, column, preserveFocus);
    }
  }

  private browser(mine: Map<string, Opened>, tab: LayoutTab, url: vscode.Uri, column: vscode.ViewColumn, preserveFocus: boolean): void {
    const existing = mine.get(tab.id);
    if (existing?.kind === 'browser') return existing.tab.reload(url, column, preserveFocus);
    const browser = BrowserTab.open(tab.name, url, column, preserveFocus);
    mine.set(tab.id, { kind: 'browser', tab: browser });
    browser.panel.onDidDispose(() => {
      if (mine.get(tab.id)?.kind === 'browser') mine.delete(tab.id);
    });
  }

  private async ide(ref: MachineRef, home: string): Promise<void> {
    const uri = vscode.Uri.from(toUriComponents({ ...ref, path: home }));
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!folders.some((f) => f.uri.toString() === uri.toString())) {
      // In an empty window this restarts the extension host; planLayout kept the other tabs for after it.
      vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `${ref.machine} (${ref.playground})` });
    }
    await vscode.commands.executeCommand('workbench.view.explorer');
  }

  private openedOf(id: string): Map<string, Opened> {
    let m = this.opened.get(id);
    if (!m) this.opened.set(id, (m = new Map<string, Opened>()));
    return m;
  }

  dispose(): void {
    this.owned.dispose();
  }
}
