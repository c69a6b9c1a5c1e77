// Starts a playground with a progress notification that follows the agent's event
// stream step by step. Cancelling destroys the half-made playground.
import * as vscode from 'vscode';
import type { CreatePlaygroundRequest, PlaygroundRecord } from '../../host-agent/api/protocol';
import { CLOSE_PLAYGROUND_GONE } from '../../host-agent/api/protocol';
import type { EventSubscription } from '../../host-agent/api/client';
import type { AgentConnection } from './connection';
import { ProvisionProgress } from './progress';
import { errorMessage } from '../log';

export class CancelledError extends Error {}

export async function startPlayground(
  agent: AgentConnection,
  log: vscode.LogOutputChannel,
  /** A create request, or the call that makes the playground (a fork). */
  req: CreatePlaygroundRequest | (() => Promise<PlaygroundRecord>),
  label: string,
): Promise<PlaygroundRecord> {
  const api = agent.client();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Starting ${label}`, cancellable: true },
    async (progress, token) => {
      const started = Date.now();
      const record = typeof req === 'function' ? await req() : await api.create(req);
      log.info(`playground ${record.id} (${label}) created; provisioning`);
      void agent.refresh();
      const tracker = new ProvisionProgress(record.machines.map((m) => m.name));
      let sub: EventSubscription | undefined;
      const outcome = await new Promise<'running' | { failed: string } | 'cancelled'>((resolve) => {
        token.onCancellationRequested(() => resolve('cancelled'));
        const onEvent = (ev: Parameters<ProvisionProgress['next']>[0]) => {
          if (ev.type === 'log') log.info(`${record.id}${ev.machine ? `/${ev.machine}` : ''}: ${ev.message}`);
          if (ev.type === 'step' && ev.status === 'failed') log.error(`${record.id}: step ${ev.step} failed: ${ev.message ?? ''}`);
          const update = tracker.next(ev);
          if (update) progress.report(update);
          const done = tracker.done;
          if (done) resolve(done.kind === 'running' ? 'running' : { failed: done.message });
        };
        sub = api.follow(record.id, onEvent, (code, reason) => {
          const why = code === CLOSE_PLAYGROUND_GONE ? 'the playground was destroyed' : `the event stream closed (${code}${reason ? `: ${reason}` : ''})`;
          const done = tracker.closed(why);
          resolve(done.kind === 'running' ? 'running' : { failed: done.message });
        });
        sub.opened.catch((err: unknown) => resolve({ failed: errorMessage(err) }));
      });
      sub?.close();
      if (outcome === 'cancelled') {
        log.info(`playground ${record.id}: cancelled; destroying`);
        await api.destroy(record.id).catch((err) => log.warn(`destroying ${record.id}: ${errorMessage(err)}`));
        void agent.refresh();
        throw new CancelledError(`starting ${label} was cancelled`);
      }
      if (outcome !== 'running') {
        void agent.refresh();
        throw new Error(`${label} (${record.id}) failed: ${outcome.failed}`);
      }
      const ready = await api.get(record.id);
      log.info(`playground ${record.id} running after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await agent.refresh();
      return ready;
    },
  );
}
