// `sandlot agent`: builds the services and serves the API until SIGINT/SIGTERM.
import * as fs from 'node:fs';
import type { AgentInfo, DriverName } from '../api/protocol';
import { createDriver, DRIVER_NAMES } from '../drivers/registry';
import type { Driver } from '../drivers/protocol';
import { TemplateCatalog, builtinTemplatesDir } from '../playgrounds/catalog';
import { PlaygroundEvents } from '../playgrounds/events';
import { PlaygroundManager } from '../playgrounds/manager';
import { PlaygroundStore } from '../playgrounds/store';
import { writeFileAtomicModeSync } from '../util/files';
import { closeInheritedDescriptors } from '../util/inherited-fds';
import { sandlotPaths } from '../util/paths';
import { ContentService } from '../tasks/service';
import { AgentServer } from './server';
import { ensureToken } from './token';

export interface AgentOptions {
  listen: string;
  driver: DriverName;
  version: string;
}

export interface RunningAgent {
  url: string;
  server: AgentServer;
  manager: PlaygroundManager;
  stop(): Promise<void>;
}

export function agentLog(level: 'info' | 'warn' | 'error', message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  // Before anything is spawned: every machine process is a child of the agent.
  const leaked = closeInheritedDescriptors();
  const paths = sandlotPaths();
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const token = ensureToken(paths.token);
  const store = new PlaygroundStore(paths.playgrounds);
  const catalog = new TemplateCatalog([
    { dir: builtinTemplatesDir(), source: 'builtin' },
    { dir: paths.userTemplates, source: 'user' },
  ]);
  for (const p of catalog.problems) agentLog('warn', `template skipped: ${p}`);
  const drivers: Partial<Record<DriverName, Driver>> = {};
  for (const name of DRIVER_NAMES) {
    const d = createDriver(name, { home: paths.home, playgroundsDir: paths.playgrounds, log: agentLog });
    if (d) drivers[name] = d;
  }
  const main = drivers[opts.driver];
  if (!main) throw new Error(`--driver: the ${opts.driver} driver is not available in this build (available: ${Object.keys(drivers).join(', ')})`);
  await main.preflight();
  const events = new PlaygroundEvents();
  const manager = new PlaygroundManager({ store, catalog, drivers, defaultDriver: opts.driver, events, log: agentLog });
  await manager.init();
  const info = (): AgentInfo => ({
    version: opts.version,
    driver: opts.driver,
    drivers: Object.keys(drivers) as DriverName[],
    pid: process.pid,
    isolation: main.describeIsolation(),
  });
  const server = new AgentServer({ token, manager, catalog, events, info, log: agentLog });
  const content = new ContentService({ server, manager, catalog, log: agentLog });
  const url = await server.listen(opts.listen);
  writeFileAtomicModeSync(paths.agentInfo, JSON.stringify({ url, pid: process.pid }, null, 2), 0o600);
  agentLog('info', `agent ${opts.version} listening on ${url} (driver ${opts.driver}, state ${paths.home})`);
  if (leaked.length > 0) agentLog('info', `closed descriptors inherited without close-on-exec: ${leaked.join(', ')}`);
  return {
    url,
    server,
    manager,
    async stop() {
      await content.dispose();
      await server.close();
      await manager.close();
      await Promise.all(Object.values(drivers).map((d) => d!.close()));
      try {
        const current = JSON.parse(fs.readFileSync(paths.agentInfo, 'utf8')) as { pid: number };
        if (current.pid === process.pid) fs.rmSync(paths.agentInfo, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
