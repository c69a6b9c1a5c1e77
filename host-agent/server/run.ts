// `sandlot agent`: takes the state directory's lock, listens at once (so clients see an
// agent within a second and wait for it instead of starting another), then does the
// slow part — driver probes (microvm's KVM check takes seconds), re-adopting
// playgrounds — and only then serves every route. Until then `info` answers with
// `state: starting` and other requests wait.
import * as fs from 'node:fs';
import { agentFileText, removeAgentFile } from '../api/agent-file';
import { ApiProblem, type AgentInfo, type DriverName } from '../api/protocol';
import { DriverUnavailableError, type Driver } from '../drivers/protocol';
import { createDriver, DRIVER_NAMES } from '../drivers/registry';
import { TemplateCatalog, templateDirs } from '../playgrounds/catalog';
import { PlaygroundEvents } from '../playgrounds/events';
import { PlaygroundManager } from '../playgrounds/manager';
import { PlaygroundStore } from '../playgrounds/store';
import { startWarmPool } from '../playgrounds/warm-setup';
import type { WarmPool } from '../playgrounds/warm-pool';
import { ContentService } from '../tasks/service';
import { closeInheritedDescriptors } from '../util/inherited-fds';
import { writeFileAtomicModeSync } from '../util/files';
import { sandlotPaths } from '../util/paths';
import { playgroundHandlers } from './playground-routes';
import { snapshotHandlers } from './snapshot-routes';
import { SnapshotService } from '../snapshots/service';
import { SnapshotStore } from '../snapshots/store';
import { AgentServer } from './server';
import { acquireStateLock } from './state-lock';
import { EventLoopLagMonitor } from '../util/event-loop-lag';
import { ensureToken } from './token';

export interface AgentOptions {
  listen: string;
  driver: DriverName;
  version: string;
  /** Snapshot an expired playground before destroying it (default off). */
  autoSnapshotOnExpiry?: boolean;
  /** Period of the task checks' fallback loop (`--check-interval`). */
  checkIntervalMs?: number;
  /** Warm playgrounds wanted per template (`--warm docker=1`); none by default. */
  warm?: Record<string, number>;
  /** What the warm pool may hold (machines' ramSize); default DEFAULT_WARM_MEMORY. */
  warmMemoryBytes?: number;
}

export interface RunningAgent {
  url: string;
  server: AgentServer;
  /** Resolves with the manager once every route is served; rejects with why the agent could not start. */
  ready: Promise<PlaygroundManager>;
  stop(): Promise<void>;
}

export function agentLog(level: 'info' | 'warn' | 'error', message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
}

/** Listens and resolves; the rest of the start-up continues behind `ready`. Throws StateLockedError when another agent has the state directory. */
export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  // Before anything is spawned (the lock holder, machines): every child of the agent inherits what it holds.
  const leaked = closeInheritedDescriptors();
  // A log that cannot be written (a full disk under agent.log, a closed terminal) must not end the agent.
  process.stderr.on('error', () => undefined);
  const paths = sandlotPaths();
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const lock = await acquireStateLock(paths.home, agentLog);
  try {
    const token = ensureToken(paths.token);
    const drivers: Partial<Record<DriverName, Driver>> = {};
    for (const name of DRIVER_NAMES) {
      const d = createDriver(name, { home: paths.home, playgroundsDir: paths.playgrounds, log: agentLog });
      if (d) drivers[name] = d;
    }
    const main = drivers[opts.driver];
    if (!main) throw new Error(`--driver: the ${opts.driver} driver is not available in this build (available: ${Object.keys(drivers).join(', ')})`);
    let state: AgentInfo['state'] = 'starting';
    // The lag every SSH session of every playground feels: shown by `sandlot status`.
    const lag = new EventLoopLagMonitor();
    const info = (): AgentInfo => ({
      version: opts.version,
      driver: opts.driver,
      drivers: DRIVER_NAMES.filter((n) => drivers[n]),
      pid: process.pid,
      isolation: main.describeIsolation(),
      state,
      eventLoopLag: lag.snapshot(),
      ...(pool ? { warmPool: pool.info() } : {}),
    });
    let pool: WarmPool | undefined;
    const server = new AgentServer({ token, info, log: agentLog });
    const url = await server.listen(opts.listen);
    writeFileAtomicModeSync(paths.agentInfo, agentFileText({ url, pid: process.pid }), 0o600);

    let services: { manager: PlaygroundManager; content: ContentService } | undefined;
    const ready = (async () => {
      await main.preflight();
      const catalog = new TemplateCatalog(templateDirs());
      for (const p of catalog.problems) agentLog('warn', `template skipped: ${p}`);
      const events = new PlaygroundEvents();
      // The expiry hook needs the snapshot service, which needs the manager.
      const expiry: { snapshot?: (id: string) => Promise<void> } = {};
      const manager = new PlaygroundManager({
        store: new PlaygroundStore(paths.playgrounds),
        catalog,
        drivers,
        defaultDriver: opts.driver,
        events,
        log: agentLog,
        ...(opts.autoSnapshotOnExpiry ? { beforeExpiry: (id: string) => expiry.snapshot?.(id) ?? Promise.reject(new Error('snapshots are not ready')) } : {}),
      });
      const snapshots = new SnapshotService({
        store: new SnapshotStore(paths.snapshots),
        manager,
        catalog,
        drivers,
        userTemplates: paths.userTemplates,
        log: agentLog,
      });
      expiry.snapshot = (id) => snapshots.beforeExpiry(id);
      for (const note of snapshots.init()) agentLog('info', `snapshot store: ${note}`);
      await manager.init();
      // Checked before the agent says it is ready: a --warm the agent cannot honour ends it with one line.
      pool = startWarmPool({ warm: opts.warm ?? {}, budgetBytes: opts.warmMemoryBytes, catalog, drivers, defaultDriver: opts.driver, manager, log: agentLog });
      const content = new ContentService({ manager, catalog, log: agentLog, intervalMs: opts.checkIntervalMs });
      services = { manager, content };
      server.serve({
        ...playgroundHandlers(manager, catalog, events, (body) => snapshots.createPlayground(body)),
        ...snapshotHandlers(snapshots),
        ...content.handlers(),
      });
      state = 'ready';
      // In the background: the API answers while the pool fills.
      pool?.fill();
      agentLog('info', `agent ${opts.version} listening on ${url} (driver ${opts.driver}, state ${paths.home})`);
      if (leaked.length > 0) agentLog('info', `closed descriptors inherited without close-on-exec: ${leaked.join(', ')}`);
      return manager;
    })();
    ready.catch((err: unknown) => server.fail(err instanceof DriverUnavailableError ? new ApiProblem('driver_unavailable', err.message) : err));
    return {
      url,
      server,
      ready,
      async stop() {
        await services?.content.dispose();
        await server.close();
        // Its members are nobody's playgrounds: none outlives the agent.
        await pool?.close();
        await services?.manager.close();
        await Promise.all(Object.values(drivers).map((d) => d.close()));
        lag.dispose();
        removeAgentFile(paths.agentInfo);
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
