// Activated by `onResolveRemoteAuthority:ssh-remote`: VS Code awaits our activation
// before asking Remote-SSH to resolve the host, so a window reopening a Sandlot host
// finds its playground running: a stopped one is started, an expired (destroyed) one is
// re-created from its template and the old alias redirected to it in ~/.ssh/config.
import * as vscode from 'vscode';
import { isApiError } from '../../host-agent/api/client';
import { hostAlias, parseHostAlias } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent-client/connection';
import { startPlayground } from '../agent-client/start-playground';
import { errorMessage } from '../log';
import type { PlaygroundMemory } from '../playground-memory';
import { windowMachine } from '../window-playground';
import type { RemoteSshHandoff } from './remote-ssh';
import { planRemoteWindow } from './remote-window-plan';

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
  const windowRef = windowMachine();
  if (!windowRef) return;
  // An alias already redirected to a re-created playground is about that one now.
  const redirected = parseHostAlias(memory.redirects()[hostAlias(windowRef.playground, windowRef.machine)] ?? '');
  const ref = redirected ?? windowRef;
  log.info(`Remote-SSH window for ${hostAlias(ref.playground, ref.machine)}: making sure the playground runs`);
  try {
    await waitFor('the Sandlot agent', 20_000, async () => (agent.state.kind === 'connected' ? true : (await agent.refresh(), undefined)));
    const api = agent.client();
    const record = await api.get(ref.playground).catch((err) => {
      if (isApiError(err, 'playground_not_found')) return undefined;
      throw err;
    });
    const plan = planRemoteWindow(ref.playground, record, memory.templateOf(ref.playground));
    const running = async (id: string) => ((await api.get(id)).state === 'running' ? true : undefined);
    switch (plan.action) {
      case 'none':
        break;
      case 'give-up':
        throw new Error(plan.reason);
      case 'wait':
      case 'start':
      case 'restart':
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting playground ${ref.playground}` }, async () => {
          if (plan.action === 'start') await api.start(ref.playground);
          if (plan.action === 'restart') await api.restart(ref.playground);
          await waitFor(`${ref.playground} to run`, 180_000, () => running(ref.playground));
        });
        break;
      case 'recreate': {
        const fresh = await startPlayground(agent, log, { template: plan.template }, `a new "${plan.template}" playground (${ref.playground} expired)`);
        memory.remember(fresh);
        await memory.redirect(hostAlias(ref.playground, ref.machine), hostAlias(fresh.id, ref.machine));
        if (redirected) await memory.redirect(hostAlias(windowRef.playground, windowRef.machine), hostAlias(fresh.id, ref.machine));
        log.info(`${hostAlias(windowRef.playground, windowRef.machine)} now leads to ${hostAlias(fresh.id, ref.machine)}`);
        break;
      }
    }
    await handoff.writeConfig();
  } catch (err) {
    log.error(`Remote-SSH preparation: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`Sandlot: ${errorMessage(err)}`);
  }
}
