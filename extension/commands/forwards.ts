// "Forward Port…": a loopback listener whose connections ride the agent tunnel to a
// machine port; the browser gets it through env.asExternalUri (which, in code-server
// or Codespaces-like setups, maps it to a reachable address).
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { AgentConnection } from '../agent-client/connection';
import { errorMessage } from '../log';
import type { MachineRef } from '../remote/uri';

export class PortForwards implements vscode.Disposable {
  private readonly servers = new Map<string, { server: net.Server; local: number; ref: MachineRef; port: number }>();
  private readonly listening: vscode.Disposable;

  constructor(
    private readonly agent: AgentConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // A destroyed playground's forwards only hold local ports: close them. Not on a
    // disconnect (the list is empty then too), the agent may come back with them.
    this.listening = agent.onDidChangePlaygrounds((list) => {
      if (agent.state.kind !== 'connected') return;
      const ids = new Set(list.map((p) => p.id));
      for (const [key, f] of this.servers) {
        if (ids.has(f.ref.playground)) continue;
        f.server.close();
        this.servers.delete(key);
        this.log.info(`forward 127.0.0.1:${f.local} → ${key} closed: the playground is gone`);
      }
    });
  }

  async forward(ref: MachineRef, port: number): Promise<number> {
    const key = `${ref.playground}/${ref.machine}:${port}`;
    const existing = this.servers.get(key);
    if (existing) return existing.local;
    const server = net.createServer((sock) => {
      this.agent
        .client()
        .tunnel(ref.playground, ref.machine, port)
        .then(
          (stream) => {
            sock.pipe(stream).pipe(sock);
            sock.on('error', () => stream.destroy());
            stream.on('error', () => sock.destroy());
          },
          (err) => {
            this.log.warn(`forward ${key}: ${errorMessage(err)}`);
            sock.destroy();
          },
        );
    });
    const local = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
    this.servers.set(key, { server, local, ref: { playground: ref.playground, machine: ref.machine }, port });
    this.log.info(`forwarding 127.0.0.1:${local} → ${key}`);
    return local;
  }

  /** The forwards of one playground's machines (the playground panel lists them). */
  list(playground: string): { machine: string; port: number; local: number }[] {
    const out: { machine: string; port: number; local: number }[] = [];
    for (const f of this.servers.values()) if (f.ref.playground === playground) out.push({ machine: f.ref.machine, port: f.port, local: f.local });
    return out;
  }

  dispose(): void {
    this.listening.dispose();
    for (const { server } of this.servers.values()) server.close();
    this.servers.clear();
  }
}
