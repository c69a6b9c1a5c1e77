// `sandlot agent`: builds the services and serves the API until SIGINT/SIGTERM.
import * as fs from 'node:fs';
import type { AgentInfo, DriverName } from '../api/protocol';
import { createDriver, DRIVER_NAMES } from '../drivers/registry';
import type { Driver } from '../drivers/protocol';
import { TemplateCatalog, templateDirs } from '../playgrounds/catalog';
import { PlaygroundEvents } from '../playgrounds/events';
import { PlaygroundManager } from '../playgrounds/manager';
import { PlaygroundStore } from '../playgrounds/store';
import { removeAgentFile, writeAgentFile } from '../api/agent-file';
import { sandlotPaths } from '../util/paths';
import { ContentService } from '../tasks/service';
import { playgroundHandlers } from './playground-routes';
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
  const paths = sandlotPaths();
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const token = ensureToken(paths.token);
  const store = new PlaygroundStore(paths.playgrounds);
  const catalog = new TemplateCatalog(templateDirs());
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
  const server = new AgentServer({ token, info, log: agentLog });
  const content = new ContentService({ manager, catalog, log: agentLog });
  server.serve({ ...playgroundHandlers(manager, catalog, events), ...content.handlers() });
  const url = await server.listen(opts.listen);
  writeAgentFile(paths.agentInfo, { url, pid: process.pid });
  agentLog('info', `agent ${opts.version} listening on ${url} (driver ${opts.driver}, state ${paths.home})`);
  return {
    url,
    server,
    manager,
    async stop() {
      await content.dispose();
      await server.close();
      await manager.close();
      await Promise.all(Object.values(drivers).map((d) => d!.close()));
      removeAgentFile(paths.agentInfo);
    },
  };
}
