// The rewrite proxies of http-port tabs (tls, hostRewrite, pathRewrite), one per machine
// port and options, over the agent tunnel; closed with their playground like forwards.
import * as vscode from 'vscode';
import { closeWhenGone } from '../agent-client/close-when-gone';
import type { AgentConnection } from '../agent-client/connection';
import type { MachineRef } from '../remote/uri';
import { startRewriteProxy, type RewriteOptions, type RewriteProxy } from './http-rewrite-proxy';

export class HttpPortProxies implements vscode.Disposable {
  private readonly proxies = new Map<string, { proxy: Promise<RewriteProxy>; playground: string }>();
  private readonly listening: vscode.Disposable;

  constructor(
    private readonly agent: AgentConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.listening = closeWhenGone(
      agent,
      this.proxies,
      (p) => p.playground,
      (p) => void p.proxy.then((x) => x.close()).catch(() => undefined),
    );
  }

  /** The local port of the proxy for this machine port and options (made once). */
  async open(ref: MachineRef, port: number, opts: RewriteOptions): Promise<number> {
    const key = `${ref.playground}/${ref.machine}:${port} ${JSON.stringify(opts)}`;
    let entry = this.proxies.get(key);
    if (!entry) {
      const proxy = startRewriteProxy(
        () => this.agent.client().tunnel(ref.playground, ref.machine, port),
        opts,
        (message) => this.log.warn(`http-port ${ref.playground}/${ref.machine}:${port}: ${message}`),
      );
      entry = { proxy, playground: ref.playground };
      this.proxies.set(key, entry);
      proxy.then(
        (p) => this.log.info(`http-port proxy 127.0.0.1:${p.port} → ${key}`),
        () => this.proxies.delete(key),
      );
    }
    return (await entry.proxy).port;
  }

  dispose(): void {
    this.listening.dispose();
    for (const { proxy } of this.proxies.values()) void proxy.then((p) => p.close()).catch(() => undefined);
    this.proxies.clear();
  }
}
