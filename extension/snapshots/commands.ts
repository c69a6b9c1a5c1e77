// Snapshot, Fork, Save as Template, Delete Snapshot. Each takes a tree node (a playground's
// or a snapshot's row), a playground or snapshot id (the playground panel, tests) or
// nothing (palette: a quick pick).
import * as vscode from 'vscode';
import type { PlaygroundRecord, SnapshotRecord } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent-client/connection';
import { CancelledError, startPlayground } from '../agent-client/start-playground';
import { pickPlayground } from '../commands/pick';
import { errorMessage } from '../log';
import { registerCommandHandlers, runCommand, type CommandHandler } from '../util/commands';
import { isNode } from '../views/nodes';
import type { SnapshotCommandId } from './manifest';
import type { SnapshotList } from './snapshot-list';

export interface SnapshotCommandServices {
  agent: AgentConnection;
  snapshots: SnapshotList;
  log: vscode.LogOutputChannel;
}

type Source = { playground: PlaygroundRecord } | { snapshot: SnapshotRecord };

/** Lowercase letters, digits and '-', like the agent asks (protocol.ts savedName). */
function nameProblem(v: string, what: string): string | undefined {
  if (/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v) && !/^(pg|sn)-/.test(v)) return undefined;
  return `expected ${what}: lowercase letters, digits and '-' (not starting with pg- or sn-)`;
}

function label(s: SnapshotRecord): string {
  return s.name ? `${s.name} (${s.id})` : s.id;
}

export function registerSnapshotCommands(s: SnapshotCommandServices): vscode.Disposable {
  const { agent, snapshots, log } = s;

  const wrap =
    (id: string, fn: CommandHandler): CommandHandler =>
    async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof CancelledError) return undefined;
        log.error(`${id}: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(`Sandlot: ${errorMessage(err)}`, 'Show Logs').then((c) => c && log.show());
        return undefined;
      }
    };

  const snapshotOf = async (arg: unknown): Promise<SnapshotRecord | undefined> => {
    if (isNode(arg) && arg.kind === 'snapshot') return arg.snapshot;
    if (typeof arg === 'string' && /^sn-/.test(arg)) return agent.client().getSnapshot(arg);
    return undefined;
  };

  /** What to fork or save: the row it ran on, an id, or a pick among snapshots and playgrounds. */
  const sourceOf = async (arg: unknown, title: string): Promise<Source | undefined> => {
    const snap = await snapshotOf(arg);
    if (snap) return { snapshot: snap };
    if (arg !== undefined) {
      const pg = await pickPlayground(agent, arg, { title, states: ['running', 'stopped'] });
      return pg && { playground: pg };
    }
    await Promise.all([agent.refresh(), snapshots.refresh()]);
    const items = [
      ...agent.playgrounds
        .filter((p) => p.state === 'running' || p.state === 'stopped')
        .map((p) => ({ label: `$(vm) ${p.title || p.id}`, description: `${p.id} · ${p.state} · snapshot now`, source: { playground: p } })),
      ...snapshots.snapshots
        .filter((x) => x.state === 'ready')
        .map((x) => ({
          label: `$(device-camera) ${label(x)}`,
          description: `of ${x.playground} · ${x.createdAt.slice(0, 16).replace('T', ' ')}`,
          source: { snapshot: x },
        })),
    ];
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No running or stopped playground and no snapshot.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick a playground or a snapshot' }))?.source;
  };

  /** Runs a request that snapshots `pg`, with a notification that shows the copy's steps. */
  const withSnapshotProgress = <T>(pg: PlaygroundRecord, title: string, op: () => Promise<T>): Thenable<T> =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async (progress) => {
      const since = Date.now() - 1000;
      const sub = agent.client().follow(pg.id, (e) => {
        if (e.type === 'step' && (e.step === 'snapshot' || e.step === 'checksum') && Date.parse(e.at) >= since) {
          progress.report({ message: `${e.step}${e.machine ? ` ${e.machine}` : ''}${e.message ? `: ${e.message}` : ''}` });
        }
      });
      await sub.opened.catch(() => undefined);
      try {
        return await op();
      } finally {
        sub.close();
      }
    });

  const handlers: Record<SnapshotCommandId, CommandHandler> = {
    'sandlot.snapshot': async (arg?: unknown) => {
      const pg = await pickPlayground(agent, arg, { title: 'Snapshot Playground', states: ['running', 'stopped'] });
      if (!pg) return undefined;
      const name = await vscode.window.showInputBox({
        title: `Snapshot ${pg.id}`,
        prompt: `A name for the snapshot (optional). ${pg.state === 'running' ? 'Its machines pause for the moment of the copy.' : ''}`,
        placeHolder: 'e.g. before-upgrade',
        validateInput: (v) => (v.trim() ? nameProblem(v.trim(), 'a snapshot name') : undefined),
      });
      if (name === undefined) return undefined;
      const snap = await withSnapshotProgress(pg, `Snapshotting ${pg.id}`, () => agent.client().snapshot(pg.id, name.trim() ? { name: name.trim() } : {}));
      log.info(`snapshot ${snap.id} of ${pg.id}: ${snap.files} files`);
      await snapshots.refresh();
      void vscode.window.showInformationMessage(`Snapshot ${label(snap)} of ${pg.id} is ready.`, 'Fork').then((c) => {
        if (c === 'Fork') void runCommand('sandlot.fork', snap.id);
      });
      return snap;
    },

    'sandlot.fork': async (arg?: unknown) => {
      const source = await sourceOf(arg, 'Fork');
      if (!source) return undefined;
      const client = agent.client();
      const record = await startPlayground(
        agent,
        log,
        // A playground is snapshotted first, inside the same notification.
        'snapshot' in source ? () => client.fork({ snapshot: source.snapshot.id }) : () => client.fork({ playground: source.playground.id }),
        'snapshot' in source ? `a fork of ${label(source.snapshot)}` : `a fork of ${source.playground.id}`,
      );
      await snapshots.refresh();
      const first = record.machines.find((m) => !m.noSSH && m.state === 'running');
      void vscode.window
        .showInformationMessage(`Playground ${record.id} (fork of ${record.forkOf}) is ready.`, ...(first ? ['Open Terminal'] : []))
        .then((c) => {
          if (c === 'Open Terminal' && first) void runCommand('sandlot.openTerminal', { playground: record.id, machine: first.name });
        });
      return record;
    },

    'sandlot.saveAsTemplate': async (arg?: unknown) => {
      const source = await sourceOf(arg, 'Save as Template');
      if (!source) return undefined;
      const name = await vscode.window.showInputBox({
        title: 'Save as Template',
        prompt: 'The template name (what Start Playground and `sandlot start` take)',
        placeHolder: 'my-lab',
        validateInput: (v) => nameProblem(v.trim(), 'a template name'),
      });
      if (!name) return undefined;
      const req = { name: name.trim() };
      const client = agent.client();
      const saved =
        'snapshot' in source
          ? await client.saveTemplate({ snapshot: source.snapshot.id }, req)
          : await withSnapshotProgress(source.playground, `Saving ${source.playground.id} as ${req.name}`, () =>
              client.saveTemplate({ playground: source.playground.id }, req),
            );
      await Promise.all([agent.refreshTemplates(), snapshots.refresh()]);
      void vscode.window.showInformationMessage(`Template ${saved.name} saved: it is in the Catalog, and starting it forks snapshot ${saved.snapshot}.`);
      return saved;
    },

    'sandlot.deleteSnapshot': async (arg?: unknown) => {
      let snap = await snapshotOf(arg);
      if (!snap) {
        await snapshots.refresh();
        snap = (
          await vscode.window.showQuickPick(
            snapshots.snapshots.map((x) => ({ label: label(x), description: `of ${x.playground} · ${x.state}`, x })),
            { title: 'Delete Snapshot' },
          )
        )?.x;
      }
      if (!snap) return undefined;
      const ok = await vscode.window.showWarningMessage(
        `Delete snapshot ${label(snap)}? Its files are removed; forks and templates made from it must be gone first.`,
        { modal: true },
        'Delete',
      );
      if (ok !== 'Delete') return undefined;
      await agent.client().deleteSnapshot(snap.id);
      log.info(`snapshot ${snap.id} deleted`);
      await snapshots.refresh();
      return snap.id;
    },
  };
  return registerCommandHandlers(handlers, wrap);
}
