// Every "Sandlot: …" command. Each takes a tree node (when run from a view), a
// { playground, machine } ref (from other commands and tests) or nothing (palette).
import * as vscode from 'vscode';
import { hostAlias, type PlaygroundRecord } from '../../host-agent/api/protocol';
import { TOKEN_SECRET, type AgentConnection } from '../agent-client/connection';
import { startLocalAgent } from '../agent-client/local-agent';
import { startPlayground } from '../agent-client/start-playground';
import type { RemoteSshHandoff } from '../remote/remote-ssh';
import type { MachineSessions } from '../remote/ssh-session';
import { openMachineTerminal } from '../remote/terminal';
import { toUriComponents } from '../remote/uri';
import type { CommandId, CoreCommandId } from '../manifest/commands';
import { registerCommandHandlers, runCommand, type CommandHandler } from '../util/commands';
import { DisposableStore } from '../util/disposables';
import { timeLeft } from '../util/time';
import { isNode } from '../views/nodes';
import { askInitValues } from '../layout/init-prompts';
import type { PortForwards } from './forwards';
import { reportingWrap } from './report';
import { pickMachine, pickPlayground, type MachineTarget } from './pick';

export interface CommandServices {
  agent: AgentConnection;
  sessions: MachineSessions;
  handoff: RemoteSshHandoff;
  log: vscode.LogOutputChannel;
  secrets: vscode.SecretStorage;
  extensionPath: string;
  /** The playground this window works in (status bar, "actions" picker). */
  currentPlayground: () => string | undefined;
  rememberTemplate: (record: PlaygroundRecord) => void;
  /** Shared with the playground panel, whose Forward buttons reuse the same listeners. */
  forwards: PortForwards;
  /** Opens the playground's layout after a start (extension/layout). */
  afterStart: (record: PlaygroundRecord) => Promise<void>;
}

function folderUri(t: MachineTarget): vscode.Uri {
  return vscode.Uri.from(toUriComponents({ playground: t.playground, machine: t.machine, path: t.machineRecord.home || '/' }));
}

export function registerCommands(s: CommandServices): vscode.Disposable {
  const owned = new DisposableStore();
  const { agent, log, forwards } = s;

  const wrap = reportingWrap(log);

  const afterChange = () => void agent.refresh();

  const lifecycle =
    (title: string, states: PlaygroundRecord['state'][], run: (pg: PlaygroundRecord) => Promise<unknown>): CommandHandler =>
    async (arg?: unknown) => {
      const pg = await pickPlayground(agent, arg, { states, title });
      if (!pg) return;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title} ${pg.id}` }, () => run(pg));
      afterChange();
    };

  const handlers: Record<CoreCommandId, CommandHandler> = {
    'sandlot.showLogs': () => log.show(),
    'sandlot.refresh': () => agent.reconnect(),

    'sandlot.setToken': async () => {
      const token = await vscode.window.showInputBox({
        title: 'Sandlot agent token',
        prompt: 'The bearer token of the agent at sandlot.agent.url (kept in VS Code SecretStorage). Empty clears it.',
        password: true,
        ignoreFocusOut: true,
      });
      if (token === undefined) return;
      if (token.trim()) await s.secrets.store(TOKEN_SECRET, token.trim());
      else await s.secrets.delete(TOKEN_SECRET);
    },

    'sandlot.startAgent': () => startLocalAgent(agent, s.extensionPath, log),

    'sandlot.startPlayground': async (arg?: unknown) => {
      let name: string | undefined;
      if (isNode(arg) && arg.kind === 'template') name = arg.template.name;
      else if (typeof arg === 'string') name = arg;
      else if (arg && typeof arg === 'object' && 'template' in arg && typeof arg.template === 'string') name = arg.template;
      if (!name) {
        const templates = agent.templates.length ? agent.templates : await agent.client().templates();
        const picked = await vscode.window.showQuickPick(
          templates.map((t) => ({
            label: t.title || t.name,
            description: `${t.name} · ${t.machines.map((m) => m.name).join(', ')}`,
            detail: t.description,
            name: t.name,
          })),
          { title: 'Start Playground', placeHolder: 'Pick a template', matchOnDescription: true, matchOnDetail: true },
        );
        if (!picked) return undefined;
        name = picked.name;
      }
      const templates = agent.templates.length ? agent.templates : await agent.client().templates();
      const conditions = templates.find((t) => t.name === name)?.initConditions ?? [];
      const inputs = conditions.length > 0 ? await askInitValues(conditions, `Start ${name}`) : {};
      if (!inputs) return undefined;
      const record = await startPlayground(agent, log, { template: name, ...(conditions.length > 0 ? { inputs } : {}) }, `playground "${name}"`);
      s.rememberTemplate(record);
      const first = record.machines.find((m) => !m.noSSH && m.state === 'running');
      void vscode.window
        .showInformationMessage(`Playground ${record.id} (${name}) is ready.`, ...(first ? ['Open Terminal', 'Open Folder'] : []))
        .then((choice) => {
          const ref = first && { playground: record.id, machine: first.name };
          if (choice === 'Open Terminal') void runCommand('sandlot.openTerminal', ref);
          if (choice === 'Open Folder') void runCommand('sandlot.openFolder', ref);
        });
      await s.afterStart(record);
      return record;
    },

    'sandlot.openTerminal': async (arg?: unknown) => {
      const t = await pickMachine(agent, arg, 'Open Terminal');
      if (t) openMachineTerminal(s.sessions, t, log);
    },

    'sandlot.openFolder': async (arg?: unknown) => {
      const t = await pickMachine(agent, arg, 'Open Folder');
      if (!t) return;
      // An empty window becomes the machine's window; otherwise keep this one.
      const forceNewWindow = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
      await vscode.commands.executeCommand('vscode.openFolder', folderUri(t), { forceNewWindow });
    },

    'sandlot.addToWorkspace': async (arg?: unknown) => {
      const t = await pickMachine(agent, arg, 'Add Machine to Workspace');
      if (!t) return;
      const n = vscode.workspace.workspaceFolders?.length ?? 0;
      vscode.workspace.updateWorkspaceFolders(n, 0, { uri: folderUri(t), name: `${t.machine} (${t.playground})` });
    },

    'sandlot.connectRemoteSsh': async (arg?: unknown) => {
      const t = await pickMachine(agent, arg, 'Connect with Remote-SSH');
      if (t) return s.handoff.connect({ ...t, home: t.machineRecord.home || '/' });
      return undefined;
    },

    'sandlot.copySshCommand': async (arg?: unknown) => {
      const t = await pickMachine(agent, arg, 'Copy SSH Command');
      if (!t) return;
      await s.handoff.writeConfig();
      const cmd = `ssh ${hostAlias(t.playground, t.machine)}`;
      await vscode.env.clipboard.writeText(cmd);
      void vscode.window.showInformationMessage(`Copied "${cmd}" (the host is in ~/.ssh/config).`);
    },

    'sandlot.forwardPort': async (arg?: unknown) => {
      const t = await pickMachine(agent, arg, 'Forward Port');
      if (!t) return;
      const answer = await vscode.window.showInputBox({
        title: `Forward a port of ${t.machine}`,
        prompt: 'Port inside the machine',
        placeHolder: '8080',
        validateInput: (v) => (/^\d+$/.test(v.trim()) && +v >= 1 && +v <= 65535 ? undefined : 'expected a port number 1-65535'),
      });
      if (!answer) return;
      const local = await forwards.forward(t, Number(answer));
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${local}/`));
      const choice = await vscode.window.showInformationMessage(`${t.machine}:${answer} is at ${external.toString()}`, 'Open in Browser', 'Copy');
      if (choice === 'Open in Browser') await vscode.env.openExternal(external);
      if (choice === 'Copy') await vscode.env.clipboard.writeText(external.toString());
    },

    'sandlot.stop': lifecycle('Stopping', ['running'], (pg) => agent.client().stop(pg.id)),
    'sandlot.start': lifecycle('Starting', ['stopped', 'lost'], (pg) => agent.client().start(pg.id)),
    'sandlot.restart': lifecycle('Restarting', ['running', 'stopped', 'lost', 'failed'], (pg) => agent.client().restart(pg.id)),

    'sandlot.destroy': async (arg?: unknown) => {
      const pg = await pickPlayground(agent, arg, { title: 'Destroy Playground' });
      if (!pg) return;
      const ok = await vscode.window.showWarningMessage(
        `Destroy playground ${pg.id} (${pg.title})? Its machines and every file in them are deleted.`,
        { modal: true },
        'Destroy',
      );
      if (ok !== 'Destroy') return;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Destroying ${pg.id}` }, () => agent.client().destroy(pg.id));
      log.info(`playground ${pg.id} destroyed`);
      await agent.refresh();
    },

    'sandlot.extend': async (arg?: unknown) => {
      const pg = await pickPlayground(agent, arg, { states: ['running', 'stopped'], title: 'Extend Lifetime' });
      if (!pg) return;
      const picked = await vscode.window.showQuickPick(
        [30, 60, 120, 240].map((m) => ({ label: `+${m >= 60 ? `${m / 60} h` : `${m} min`}`, minutes: m })),
        { title: `Extend ${pg.id} (${timeLeft(pg.deadline)})` },
      );
      if (!picked) return;
      const r = await agent.client().extend(pg.id, picked.minutes);
      log.info(`${pg.id}: lifetime now until ${r.deadline}`);
      afterChange();
    },

    'sandlot.showActions': async () => {
      const id = s.currentPlayground();
      const pg = id ? agent.playground(id) : await pickPlayground(agent, undefined, { title: 'Playground Actions' });
      if (!pg) return;
      const machine = pg.machines.find((m) => m.state === 'running' && !m.noSSH);
      const ref = machine ? { playground: pg.id, machine: machine.name } : undefined;
      type Action = { label: string; command: CommandId; arg: unknown };
      const machineActions: Action[] = ref
        ? [
            { label: '$(terminal) Open Terminal', command: 'sandlot.openTerminal', arg: ref },
            { label: '$(folder-opened) Open Folder', command: 'sandlot.openFolder', arg: ref },
            { label: '$(remote) Connect with Remote-SSH', command: 'sandlot.connectRemoteSsh', arg: ref },
            { label: '$(plug) Forward Port…', command: 'sandlot.forwardPort', arg: ref },
          ]
        : [];
      const actions: Action[] = [
        ...machineActions,
        { label: '$(watch) Extend Lifetime', command: 'sandlot.extend', arg: pg.id },
        { label: '$(debug-restart) Restart', command: 'sandlot.restart', arg: pg.id },
        { label: '$(debug-stop) Stop', command: 'sandlot.stop', arg: pg.id },
        { label: '$(trash) Destroy', command: 'sandlot.destroy', arg: pg.id },
      ];
      const picked = await vscode.window.showQuickPick(actions, { title: `${pg.title} (${pg.id}) · ${pg.state} · ${timeLeft(pg.deadline)}` });
      if (picked) await runCommand(picked.command, picked.arg);
    },
  };
  owned.add(registerCommandHandlers(handlers, wrap));

  return owned;
}
