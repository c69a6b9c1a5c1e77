// Layout commands: "Sandlot: Open Playground Layout" (reopens a playground's tabs, as the
// agent derives them from its manifest), "Sandlot: Start Playground from Manifest…" (a
// *.playground.yaml: asks for its init conditions, starts it, opens its layout), and the
// layout opened after any start from VS Code (setting sandlot.openLayoutOnStart).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { CreatePlaygroundRequest, PlaygroundRecord } from '../../host-agent/api/protocol';
import { isApiError } from '../../host-agent/api/client';
import { parseYaml } from '../../host-agent/manifests/load';
import { manifestInputSchema, type InitCondition } from '../../host-agent/manifests/schema';
import { terminalPerMachine, type LayoutTab } from '../../host-agent/manifests/tabs';
import type { AgentConnection } from '../agent-client/connection';
import { startPlayground } from '../agent-client/start-playground';
import type { PortForwards } from '../commands/forwards';
import { reportingWrap } from '../commands/report';
import { registerCommandHandlers, type CommandHandler } from '../util/commands';
import type { LayoutCommandId } from './manifest';
import { pickPlayground } from '../commands/pick';
import type { MachineSessions } from '../remote/ssh-session';
import { DisposableStore } from '../util/disposables';
import { errorMessage } from '../log';
import { askInitValues } from './init-prompts';
import { PlaygroundLayouts } from './layouts';

export interface LayoutCommandServices {
  agent: AgentConnection;
  sessions: MachineSessions;
  forwards: PortForwards;
  log: vscode.LogOutputChannel;
  state: vscode.Memento;
}

export class LayoutCommands implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  readonly layouts: PlaygroundLayouts;

  constructor(private readonly s: LayoutCommandServices) {
    this.layouts = this.owned.add(new PlaygroundLayouts(s));
    const handlers: Record<LayoutCommandId, CommandHandler> = {
      'sandlot.openLayout': async (arg?: unknown) => {
        const pg = await pickPlayground(s.agent, arg, { states: ['running'], title: 'Open Playground Layout' });
        if (pg) await this.open(pg);
      },
      'sandlot.startFromManifest': (arg?: unknown) => this.startFromManifest(arg),
    };
    this.owned.add(registerCommandHandlers(handlers, reportingWrap(s.log)));
  }

  /** After a start from VS Code, unless the user turned it off. */
  async afterStart(record: PlaygroundRecord): Promise<void> {
    if (vscode.workspace.getConfiguration('sandlot').get<boolean>('openLayoutOnStart', true)) await this.open(record);
  }

  async open(record: PlaygroundRecord): Promise<void> {
    const failures = await this.layouts.open(record, await this.tabsOf(record));
    if (failures.length > 0) {
      void vscode.window
        .showWarningMessage(`Sandlot: some tabs of ${record.id} did not open: ${failures.join('; ')}`, 'Show Logs')
        .then((c) => c && this.s.log.show());
    }
  }

  /** The layout the agent derives from the playground's manifest; a terminal per machine from an agent without it. */
  private async tabsOf(record: PlaygroundRecord): Promise<LayoutTab[]> {
    try {
      return (await this.s.agent.client().manifest(record.id)).tabs;
    } catch (err) {
      if (!isApiError(err, 'route_not_found')) throw err;
      this.s.log.info(`the agent does not serve layouts yet (${errorMessage(err)}): a terminal per machine`);
      return terminalPerMachine(record.machines);
    }
  }

  private async startFromManifest(arg: unknown): Promise<PlaygroundRecord | undefined> {
    const uri = await manifestUri(arg);
    if (!uri) return undefined;
    const file = uri.fsPath;
    const text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText() ?? fs.readFileSync(file, 'utf8');
    const { conditions, name } = localView(text, file);
    const inputs = conditions.length > 0 ? await askInitValues(conditions, `Start ${name}`) : {};
    if (!inputs) return undefined;
    const req: CreatePlaygroundRequest = { manifest: text, manifestName: file, ...(Object.keys(inputs).length > 0 ? { inputs } : {}) };
    const record = await startPlayground(this.s.agent, this.s.log, req, `playground "${name}"`);
    await this.afterStart(record);
    return record;
  }

  dispose(): void {
    this.owned.dispose();
  }
}

/**
 * The init conditions a manifest declares itself (a base's are asked by the agent's
 * error, which names them). Only a YAML that is no manifest at all stops here; every
 * other problem is the agent's to report in full.
 */
function localView(text: string, file: string): { name: string; conditions: InitCondition[] } {
  const input = manifestInputSchema.safeParse(parseYaml(text, file));
  if (!input.success) return { name: file, conditions: [] };
  return { name: input.data.name, conditions: input.data.playground.initConditions?.values ?? [] };
}

async function manifestUri(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active && /\.ya?ml$/.test(active.fileName) && /^kind:\s*playground\s*$/m.test(active.getText())) return active.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    filters: { 'Playground manifest': ['yaml', 'yml'] },
    openLabel: 'Start Playground',
  });
  return picked?.[0];
}
