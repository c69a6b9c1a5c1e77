// One playground panel: an editor webview showing one playground. It follows the
// playground's event stream (and the connection's list, for changes that raise no event,
// like a deadline extended elsewhere), and while the panel is visible it reads every
// running machine's listening ports through the machine's shared SSH session.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { isApiError } from '../../host-agent/api/client';
import { CLOSE_PLAYGROUND_GONE, type PlaygroundRecord } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent-client/connection';
import type { PortForwards } from '../commands/forwards';
import { errorMessage } from '../log';
import type { MachineSessions } from '../remote/ssh-session';
import { DisposableStore, toDisposable } from '../util/disposables';
import { openHostEnd, type HostEnd } from '../../webviews/shared/channel';
import type { Forward, LifecycleAction, MachineAction, MachineProbe, PlaygroundPanelProtocol, ToWebview } from '../../webviews/playground/protocol';
import type { CommandId } from '../manifest/commands';
import { runCommand } from '../util/commands';
import { makeNonce, playgroundHtml } from './html';
import { PROBE_COMMAND, parseProbeOutput } from './machine-probe';
import { Poller } from './poller';
import { applyEvent } from './record-events';

export interface PanelServices {
  agent: AgentConnection;
  sessions: MachineSessions;
  forwards: PortForwards;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
}

/** Between probe rounds: a new listener shows within ~3 s, at one `cat` per machine. */
const PROBE_INTERVAL_MS = 2_500;
/** A probe that hangs (SSH stalled) is given up so the next round can try again. */
const PROBE_TIMEOUT_MS = 10_000;
/** Re-follow a dropped event stream after this long (agent restart, network blip). */
const RECONNECT_MS = 2_000;

/** The panel's buttons run the palette's own commands. */
const LIFECYCLE_COMMANDS: Record<LifecycleAction, CommandId> = {
  stop: 'sandlot.stop',
  start: 'sandlot.start',
  destroy: 'sandlot.destroy',
  snapshot: 'sandlot.snapshot',
  fork: 'sandlot.fork',
  saveAsTemplate: 'sandlot.saveAsTemplate',
};
const MACHINE_COMMANDS: Record<MachineAction, CommandId> = {
  openTerminal: 'sandlot.openTerminal',
  openFolder: 'sandlot.openFolder',
  copySshCommand: 'sandlot.copySshCommand',
};

export class PlaygroundPanel implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private record: PlaygroundRecord | undefined;
  /** Why the playground cannot be shown; `final` once it is known not to exist. */
  private gone: { reason: string; final: boolean } | undefined;
  private stopFollowing: (() => void) | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly probes = new Map<string, MachineProbe>();
  private readonly urls = new Map<number, string>();
  private readonly poller: Poller;
  private loading: Promise<void> | undefined;
  private readonly webview: HostEnd<PlaygroundPanelProtocol>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly id: string,
    private readonly s: PanelServices,
  ) {
    this.poller = new Poller(
      PROBE_INTERVAL_MS,
      () => this.probeRound(),
      (err) => s.log.debug(`panel ${id}: probe: ${errorMessage(err)}`),
    );
    const root = vscode.Uri.joinPath(s.extensionUri, 'dist', 'webviews', 'playground');
    panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    panel.iconPath = vscode.Uri.joinPath(s.extensionUri, 'extension', 'media', 'sandlot.svg');
    panel.webview.html = playgroundHtml({
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      nonce: makeNonce((n) => crypto.randomBytes(n)),
    });
    this.webview = openHostEnd<PlaygroundPanelProtocol>(panel.webview, {
      notices: { ready: () => this.sendAll() },
      requests: {
        extend: async (p) => {
          this.setRecord(await s.agent.client().extend(id, p.minutes));
          void s.agent.refresh();
        },
        lifecycle: async (p) => {
          // The palette's commands: same progress, confirmation (destroy) and error messages.
          await runCommand(LIFECYCLE_COMMANDS[p.action], id);
          await this.load();
        },
        machine: async (p) => {
          await runCommand(MACHINE_COMMANDS[p.action], { playground: id, machine: p.machine });
        },
        forward: async (p) => {
          const local = await s.forwards.forward({ playground: id, machine: p.machine }, p.port);
          const url = await this.externalUrl(local);
          await this.sendForwards();
          if (p.open) await vscode.env.openExternal(vscode.Uri.parse(url));
        },
      },
      onRequestFailed: (method, err) => s.log.warn(`panel ${id}: ${method}: ${errorMessage(err)}`),
    });
    this.owned.add(this.webview);
    this.owned.add(panel.onDidChangeViewState(() => this.visibilityChanged()));
    this.owned.add(s.agent.onDidChangePlaygrounds((list) => this.onList(list)));
    this.owned.add(
      toDisposable(() => {
        if (this.poller.running) s.log.info(`panel ${id}: closed, port reads stopped`);
        this.poller.stop();
        this.unfollow();
      }),
    );
    this.owned.add(panel.onDidDispose(() => this.dispose()));
    void this.load();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    if (this.owned.isDisposed) return;
    this.owned.dispose();
    this.panel.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }

  /** Reads the record again and (re)follows the event stream; calls coalesce. */
  private load(): Promise<void> {
    this.loading ??= this.doLoad().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async doLoad(): Promise<void> {
    try {
      const api = await this.s.agent.ready();
      this.setRecord(await api.get(this.id));
      if (!this.stopFollowing) await this.follow();
    } catch (err) {
      if (isApiError(err, 'playground_not_found')) this.setGone(`Playground ${this.id} is gone: the agent no longer has it (destroyed or expired).`, true);
      else this.setGone(`Cannot reach playground ${this.id}: ${errorMessage(err)}`, false);
    }
  }

  private async follow(): Promise<void> {
    const stop = await this.s.agent.client().events(
      this.id,
      (e) => {
        if (this.record) this.setRecord(applyEvent(this.record, e));
      },
      (code) => {
        this.stopFollowing = undefined;
        if (this.owned.isDisposed) return;
        if (code === CLOSE_PLAYGROUND_GONE) return this.setGone(`Playground ${this.id} was destroyed.`, true);
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = setTimeout(() => void this.load(), RECONNECT_MS);
      },
    );
    if (this.owned.isDisposed) stop();
    else this.stopFollowing = stop;
  }

  private unfollow(): void {
    clearTimeout(this.reconnectTimer);
    const stop = this.stopFollowing;
    this.stopFollowing = undefined;
    stop?.();
  }

  private onList(list: readonly PlaygroundRecord[]): void {
    if (this.gone?.final || this.s.agent.state.kind !== 'connected') return;
    const r = list.find((p) => p.id === this.id);
    if (!r) {
      // Confirm with the agent before saying so: the list may be from just before a create.
      void this.load();
      return;
    }
    if (this.gone) void this.load();
    else this.setRecord(r);
  }

  private setRecord(r: PlaygroundRecord): void {
    if (this.owned.isDisposed) return;
    const changed = !this.record || this.gone || JSON.stringify(r) !== JSON.stringify(this.record);
    this.record = r;
    this.gone = undefined;
    this.panel.title = `${r.title || r.id} · ${r.id}`;
    if (changed) this.post({ kind: 'show', playground: r });
    this.visibilityChanged();
  }

  private setGone(reason: string, final: boolean): void {
    if (this.owned.isDisposed) return;
    this.gone = { reason, final };
    if (final) {
      this.unfollow();
      this.panel.title = `${this.id} (gone)`;
    }
    this.probes.clear();
    this.post({ kind: 'gone', playground: this.id, reason });
    this.visibilityChanged();
  }

  /** Polls only while someone can see the ports: visible panel, running playground. */
  private visibilityChanged(): void {
    if (this.owned.isDisposed) return;
    const poll = this.panel.visible && !this.gone && this.record?.state === 'running';
    if (poll === this.poller.running) return;
    if (poll) this.poller.start();
    else this.poller.stop();
    // Transitions only (never per round): the log shows when the panel costs anything.
    this.s.log.info(`panel ${this.id}: ${poll ? `reading ports every ${PROBE_INTERVAL_MS / 1000} s` : 'port reads paused'}`);
  }

  private sendAll(): void {
    if (this.gone) this.post({ kind: 'gone', playground: this.id, reason: this.gone.reason });
    else if (this.record) this.post({ kind: 'show', playground: this.record });
    for (const [machine, probe] of this.probes) this.post({ kind: 'probe', machine, probe });
    void this.sendForwards();
  }

  private async probeRound(): Promise<void> {
    const r = this.record;
    if (!r || r.state !== 'running' || !this.panel.visible) return;
    const api = this.s.agent.client();
    const machines = r.machines.filter((m) => m.state === 'running' && !m.noSSH);
    // One HTTP call for the whole playground's memory; optional (a driver may not report it).
    const memory = await api.memory(this.id).catch((): Record<string, number> => ({}));
    await Promise.all(
      machines.map(async (m) => {
        let probe: MachineProbe;
        try {
          const session = await this.s.sessions.get({ playground: this.id, machine: m.name });
          const out = await withTimeout(session.run(PROBE_COMMAND), PROBE_TIMEOUT_MS, `reading the ports of ${m.name} took over ${PROBE_TIMEOUT_MS / 1000} s`);
          probe = { ...parseProbeOutput(out.stdout), memoryBytes: memory[m.name] };
        } catch (err) {
          probe = { ports: [], addresses: [], memoryBytes: memory[m.name], error: errorMessage(err) };
        }
        if (this.record?.id !== r.id || this.gone) return;
        this.probes.set(m.name, probe);
        this.post({ kind: 'probe', machine: m.name, probe });
      }),
    );
  }

  private async externalUrl(local: number): Promise<string> {
    let url = this.urls.get(local);
    if (!url) {
      // In code-server (or any remote UI) the browser is elsewhere: asExternalUri maps the
      // loopback address to one it can reach.
      url = (await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${local}/`))).toString();
      this.urls.set(local, url);
    }
    return url;
  }

  private async sendForwards(): Promise<void> {
    const forwards: Forward[] = [];
    for (const f of this.s.forwards.list(this.id)) forwards.push({ ...f, url: await this.externalUrl(f.local) });
    this.post({ kind: 'forwards', forwards });
  }

  private post(m: ToWebview): void {
    if (!this.owned.isDisposed) this.webview.post(m);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}
