// "Forward Port…": a loopback listener whose connections ride the agent tunnel to a
// machine port; the browser gets it through env.asExternalUri (which, in code-server
// or Codespaces-like setups, maps it to a reachable address).
import * as vscode from 'vscode';
import { listenForward, type PortForward } from '../../host-agent/api/port-forward';
import { closeWhenGone } from '../agent-client/close-when-gone';
import type { AgentConnection } from '../agent-client/connection';
import { errorMessage } from '../log';
import type { MachineRef } from '../remote/uri';

export class PortForwards implements vscode.Disposable {
  private readonly servers = new Map<string, PortForward>();
  private readonly listening: vscode.Disposable;

  constructor(
    private readonly agent: AgentConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.listening = closeWhenGone(
      agent,
      this.servers,
      (f) => f.target.playground,
      (f, key) => {
        void f.close();
        this.log.info(`forward 127.0.0.1:${f.local.port} → ${key} closed: the playground is gone`);
      },
    );
  }

  async forward(ref: MachineRef, port: number): Promise<number> {
    const key = `${ref.playground}/${ref.machine}:${port}`;
    const existing = this.servers.get(key);
    if (existing) return existing.local.port;
    const forward = await listenForward(
      () => this.agent.client(),
      { playground: ref.playground, machine: ref.machine, port },
      { onError: (err) => this.log.warn(`forward ${key}: ${errorMessage(err)}`) },
    );
    this.servers.set(key, forward);
    this.log.info(`forwarding 127.0.0.1:${forward.local.port} → ${key}`);
    return forward.local.port;
  }

  /** The forwards of one playground's machines (the playground panel lists them). */
  list(playground: string): { machine: string; port: number; local: number }[] {
    const out: { machine: string; port: number; local: number }[] = [];
    for (const f of this.servers.values())
      if (f.target.playground === playground) out.push({ machine: f.target.machine, port: f.target.port, local: f.local.port });
    return out;
  }

  dispose(): void {
    this.listening.dispose();
    for (const f of this.servers.values()) void f.close();
    this.servers.clear();
  }
}
