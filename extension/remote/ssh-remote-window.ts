// Activated by `onResolveRemoteAuthority:ssh-remote`: VS Code awaits our activation
// before asking Remote-SSH to resolve the host, so a window reopening a Sandlot host
// finds its playground running: a stopped one is started, an expired (destroyed) one is
// re-created from its template and the old alias redirected to it in ~/.ssh/config.
import * as vscode from 'vscode';
import { AgentApiError } from '../../host-agent/api/client';
import { hostAlias, type PlaygroundRecord } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent/connection';
import { startPlayground } from '../agent/start-playground';
import { errorMessage } from '../log';
import type { PlaygroundMemory } from '../playground-memory';
import { windowMachine } from '../window-playground';
import type { RemoteSshHandoff } from './remote-ssh';

async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function prepareSshRemoteWindow(
  agent: AgentConnection,
  handoff: RemoteSshHandoff,
  memory: PlaygroundMemory,
  log: vscode.LogOutputChannel,
): Promise<void> {
  if (vscode.env.remoteName !== 'ssh-remote') return;
  const ref = windowMachine();
  if (!ref) return;
  log.info(`Remote-SSH window for ${hostAlias(ref.playground, ref.machine)}: making sure the playground runs`);
  try {
    await waitFor('the Sandlot agent', 20_000, async () => (agent.state.kind === 'connected' ? true : (await agent.refresh(), undefined)));
    const api = agent.client();
    const record = await api.get(ref.playground).catch((err) => {
      if (err instanceof AgentApiError && err.status === 404) return undefined;
      throw err;
    });
    const running = (r: PlaygroundRecord) => r.state === 'running';
    if (record && !running(record) && record.state !== 'destroyed' && record.state !== 'destroying') {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting playground ${record.id}` }, async () => {
        if (record.state === 'failed') await api.restart(record.id);
        else if (record.state !== 'starting' && record.state !== 'provisioning') await api.start(record.id);
        await waitFor(`${record.id} to run`, 180_000, async () => (running(await api.get(record.id)) ? true : undefined));
      });
    } else if (!record || record.state === 'destroyed' || record.state === 'destroying') {
      const template = memory.templateOf(ref.playground);
      if (!template) throw new Error(`playground ${ref.playground} no longer exists and its template is unknown; start a new one`);
      const fresh = await startPlayground(agent, log, { template }, `a new "${template}" playground (${ref.playground} expired)`);
      memory.remember(fresh);
      await memory.redirect(hostAlias(ref.playground, ref.machine), hostAlias(fresh.id, ref.machine));
      log.info(`${hostAlias(ref.playground, ref.machine)} now leads to ${hostAlias(fresh.id, ref.machine)}`);
    }
    await handoff.writeConfig();
  } catch (err) {
    log.error(`Remote-SSH preparation: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`Sandlot: ${errorMessage(err)}`);
  }
}
