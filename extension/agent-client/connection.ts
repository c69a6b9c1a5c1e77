// The extension's one link to the agent: finds it (setting + SecretStorage token, else
// the local agent's files in $SANDLOT_HOME), keeps the playground list fresh by polling
// (the agent has per-playground event streams, not a global one), and tells the views.
import * as vscode from 'vscode';
import { AgentClient, AgentUnreachableError, type AgentEndpoint } from '../../host-agent/api/client';
import { discoverAgent } from '../../host-agent/api/discovery';
import type { AgentInfo, PlaygroundRecord, TemplateSummary } from '../../host-agent/api/protocol';
import { DisposableStore } from '../util/disposables';
import { errorMessage } from '../log';

export const TOKEN_SECRET = 'sandlot.agent.token';

export type ConnectionState = { kind: 'connecting' } | { kind: 'connected'; info: AgentInfo; url: string } | { kind: 'disconnected'; reason: string };

export class NotConnectedError extends Error {
  constructor(reason: string) {
    super(`Sandlot agent not connected: ${reason}`);
    this.name = 'NotConnectedError';
  }
}

/** Polling: fast enough that a state change shows within a couple of seconds. */
const POLL_CONNECTED_MS = 2_000;
const POLL_DISCONNECTED_MS = 5_000;

export class AgentConnection implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly stateChanged = this.owned.add(new vscode.EventEmitter<ConnectionState>());
  private readonly playgroundsChanged = this.owned.add(new vscode.EventEmitter<readonly PlaygroundRecord[]>());
  private readonly templatesChanged = this.owned.add(new vscode.EventEmitter<readonly TemplateSummary[]>());
  readonly onDidChangeState = this.stateChanged.event;
  readonly onDidChangePlaygrounds = this.playgroundsChanged.event;
  readonly onDidChangeTemplates = this.templatesChanged.event;

  private current: ConnectionState = { kind: 'connecting' };
  private agent: AgentClient | undefined;
  private list: readonly PlaygroundRecord[] = [];
  private catalog: readonly TemplateSummary[] = [];
  private listJson = '';
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.owned.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sandlot.agent')) void this.reconnect();
      }),
    );
    this.owned.add(secrets.onDidChange((e) => (e.key === TOKEN_SECRET ? void this.reconnect() : undefined)));
    this.owned.add({ dispose: () => clearTimeout(this.timer) });
    void this.refresh();
  }

  get state(): ConnectionState {
    return this.current;
  }
  get playgrounds(): readonly PlaygroundRecord[] {
    return this.list;
  }
  get templates(): readonly TemplateSummary[] {
    return this.catalog;
  }

  /** The client, or a NotConnectedError saying why there is none. */
  client(): AgentClient {
    if (this.current.kind === 'connected' && this.agent) return this.agent;
    throw new NotConnectedError(this.current.kind === 'disconnected' ? this.current.reason : 'still connecting');
  }

  /**
   * The client once the first connection attempt has finished: file system calls made
   * while the window is still starting (a reopened sandlot:// folder) wait for it
   * instead of failing. A disconnected agent gets one more try.
   */
  async ready(): Promise<AgentClient> {
    if (this.current.kind === 'connecting' || this.current.kind === 'disconnected') await this.refresh();
    return this.client();
  }

  playground(id: string): PlaygroundRecord | undefined {
    return this.list.find((p) => p.id === id);
  }

  async reconnect(): Promise<void> {
    this.agent = undefined;
    await this.refresh();
  }

  /** Re-reads the list now (after an action), coalescing concurrent calls. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
      this.schedule();
    });
    return this.refreshing;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.owned.isDisposed) return;
    const ms = this.current.kind === 'connected' ? POLL_CONNECTED_MS : POLL_DISCONNECTED_MS;
    this.timer = setTimeout(() => void this.refresh(), ms);
  }

  private async endpoint(): Promise<AgentEndpoint> {
    const url = vscode.workspace.getConfiguration('sandlot').get<string>('agent.url')?.trim() || undefined;
    const token = (await this.secrets.get(TOKEN_SECRET)) || undefined;
    return discoverAgent({ url, token });
  }

  /** Reads the catalog again (a template was saved or removed). */
  async refreshTemplates(): Promise<void> {
    if (!this.agent) return this.refresh();
    this.catalog = await this.agent.templates();
    this.templatesChanged.fire(this.catalog);
  }

  private async doRefresh(): Promise<void> {
    try {
      if (!this.agent) {
        const ep = await this.endpoint();
        const client = new AgentClient(ep);
        const info = await client.info();
        this.agent = client;
        this.catalog = await client.templates();
        this.templatesChanged.fire(this.catalog);
        this.log.info(`connected to the Sandlot agent ${info.version} at ${ep.url} (driver ${info.driver}, pid ${info.pid})`);
        this.setState({ kind: 'connected', info, url: ep.url });
      }
      const list = await this.agent.list();
      const json = JSON.stringify(list);
      if (json !== this.listJson) {
        this.listJson = json;
        this.list = list;
        void vscode.commands.executeCommand('setContext', 'sandlot.hasPlaygrounds', list.length > 0);
        this.playgroundsChanged.fire(list);
      }
    } catch (err) {
      const reason = errorMessage(err);
      this.agent = undefined;
      if (this.current.kind !== 'disconnected' || this.current.reason !== reason) {
        // Unreachable is the ordinary "no agent yet" case; anything else is worth a warning.
        if (err instanceof AgentUnreachableError || this.current.kind === 'connecting') this.log.info(reason);
        else this.log.warn(`agent: ${reason}`);
        this.setState({ kind: 'disconnected', reason });
      }
      if (this.list.length > 0) {
        this.list = [];
        this.listJson = '';
        this.playgroundsChanged.fire(this.list);
      }
    }
  }

  private setState(s: ConnectionState): void {
    this.current = s;
    void vscode.commands.executeCommand('setContext', 'sandlot.agentConnected', s.kind === 'connected');
    this.stateChanged.fire(s);
  }

  dispose(): void {
    this.owned.dispose();
  }
}
