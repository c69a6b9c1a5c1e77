// Wiring only: builds the services and hands every registration to an owner.
import * as vscode from 'vscode';
import { version } from '../package.json';
import { AgentConnection } from './agent-client/connection';
import { findCli } from './agent-client/cli';
import { registerCommands } from './commands';
import { LayoutCommands } from './layout';
import { PortForwards } from './commands/forwards';
import { createLog } from './log';
import { registerMcpServer } from './mcp/provider';
import { registerPlaygroundPanel } from './playground-panel';
import { registerSnapshots } from './snapshots';
import { PlaygroundMemory } from './playground-memory';
import { SandlotFileSystem } from './remote/fs-provider';
import { RemoteSshHandoff } from './remote/remote-ssh';
import { prepareSshRemoteWindow } from './remote/ssh-remote-window';
import { MachineSessions } from './remote/ssh-session';
import { registerTerminalProfile } from './remote/terminal-profile';
import { PlaygroundStatusBar } from './status-bar';
import { registerTutorial } from './tutorial';
import { registerContentDiagnostics } from './content-diagnostics';
import { EditorContent } from './content-diagnostics/editor-content';
import { SandlotUriHandler } from './uri-handler';
import { CatalogTree } from './views/catalog-tree';
import { PlaygroundsTree } from './views/playgrounds-tree';
import { windowMachine } from './window-playground';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const own = <T extends vscode.Disposable>(d: T): T => (context.subscriptions.push(d), d);
  const log = own(createLog());
  log.info(`Sandlot ${version} active (VS Code ${vscode.version}, uiKind=${vscode.env.uiKind}, remote=${vscode.env.remoteName ?? 'none'})`);

  const agent = own(new AgentConnection(context.secrets, log));
  const sessions = own(new MachineSessions(agent, log));
  const memory = new PlaygroundMemory(context.globalState);
  const forwards = own(new PortForwards(agent, log));
  const handoff = new RemoteSshHandoff(
    agent,
    () => findCli(context.extensionPath),
    log,
    () => memory.redirects(),
  );

  own(SandlotFileSystem.register(sessions, log));
  own(registerTerminalProfile(agent, sessions, log));
  const snapshots = registerSnapshots(agent, log);
  own(snapshots.disposable);
  own(vscode.window.registerTreeDataProvider('sandlot.playgrounds', own(new PlaygroundsTree(agent, snapshots.list))));
  own(vscode.window.registerTreeDataProvider('sandlot.catalog', own(new CatalogTree(agent))));
  own(new PlaygroundStatusBar(agent));
  const editorContent = new EditorContent(agent, log, context.extensionPath);
  own(registerTutorial(agent, sessions, log, context, editorContent));
  own(registerContentDiagnostics(editorContent, log));
  own(registerPlaygroundPanel({ agent, sessions, forwards, log, extensionUri: context.extensionUri }));
  own(vscode.window.registerUriHandler(new SandlotUriHandler(log)));
  const layouts = own(new LayoutCommands({ agent, sessions, forwards, log, state: context.globalState }));
  own(registerMcpServer(() => findCli(context.extensionPath), context.secrets, log));
  own(
    registerCommands({
      agent,
      sessions,
      handoff,
      log,
      secrets: context.secrets,
      extensionPath: context.extensionPath,
      currentPlayground: () => windowMachine()?.playground,
      rememberTemplate: (r) => memory.remember(r),
      forwards,
      afterStart: (record) => layouts.afterStart(record),
    }),
  );
  void layouts.layouts.resumePending();

  // Awaited on purpose: VS Code waits for this before Remote-SSH resolves the host.
  await prepareSshRemoteWindow(agent, handoff, memory, log);
}

export function deactivate(): void {}
