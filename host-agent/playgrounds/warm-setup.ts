// From `--warm` to a warm pool: each template named must exist, and the driver its
// playgrounds run on (the same choice a create makes) must be able to write a running
// machine's identity (each member's is written once more when it is made: manager.ts
// makePoolMember). A member costs its machines' ramSize.
import type { DriverName } from '../api/protocol';
import type { Driver } from '../drivers/protocol';
import { DRIVER_NAMES } from '../drivers/registry';
import { isOciSource } from '../images/oci';
import { chooseDriver } from '../manifests/driver-choice';
import { machineDrives } from '../manifests/drives';
import { machineResources } from '../manifests/schema';
import type { TemplateCatalog } from './catalog';
import type { PlaygroundManager } from './manager';
import { DEFAULT_WARM_MEMORY, parseWarmMemory } from './warm-options';
import { WarmPool, type PoolTemplate } from './warm-pool';

export interface WarmSetup {
  warm: Record<string, number>;
  budgetBytes?: number;
  catalog: TemplateCatalog;
  drivers: Partial<Record<DriverName, Driver>>;
  defaultDriver: DriverName;
  manager: PlaygroundManager;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  retryMs?: number;
  refillDelayMs?: number;
}

/** The pool `--warm` asks for, attached to the manager (not filling yet: call fill()); undefined when none is asked for. Throws one line per problem. */
export function startWarmPool(s: WarmSetup): WarmPool | undefined {
  const wanted = Object.entries(s.warm).filter(([, count]) => count > 0);
  if (wanted.length === 0) return undefined;
  const enabled = DRIVER_NAMES.filter((n) => s.drivers[n]);
  const problems: string[] = [];
  const templates: PoolTemplate[] = [];
  for (const [template, count] of wanted) {
    const entry = s.catalog.get(template);
    if (!entry) {
      problems.push(`--warm ${template}=${count}: unknown template "${template}" (available: ${s.catalog.names().join(', ')})`);
      continue;
    }
    // The identity files the drivers write, and an sshd that reads its host key per connection, are those of Sandlot's images; another image's may differ.
    const foreign = entry.manifest.playground.machines.find((m, i) => isOciSource(machineDrives(m, i).image));
    if (foreign) {
      problems.push(`--warm ${template}=${count}: machine ${foreign.name} boots an oci:// image; warm pools take templates on Sandlot's own images only`);
      continue;
    }
    const driver = chooseDriver(entry.manifest, enabled, s.defaultDriver).driver;
    if (!s.drivers[driver]?.refreshIdentity) {
      problems.push(
        `--warm ${template}=${count}: ${template} playgrounds run on the ${driver} driver, which ${s.drivers[driver] ? "cannot write a running machine's identity (warm pools work on: docker, microvm)" : 'this agent was not started with'}`,
      );
      continue;
    }
    const costBytes = entry.manifest.playground.machines.reduce((sum, m) => sum + machineResources(m.resources).ramBytes, 0);
    templates.push({ template, driver, count, costBytes });
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const budgetBytes = s.budgetBytes ?? parseWarmMemory(DEFAULT_WARM_MEMORY);
  const pool = new WarmPool({
    templates,
    budgetBytes,
    log: s.log,
    retryMs: s.retryMs,
    refillDelayMs: s.refillDelayMs,
    host: { make: (template) => s.manager.makePoolMember(template), destroy: (id) => s.manager.destroyPoolMember(id) },
  });
  for (const t of templates) {
    if (t.costBytes > budgetBytes)
      s.log('warn', `--warm ${t.template}: one playground holds ${t.costBytes} bytes, more than --warm-memory ${budgetBytes}: none is kept warm`);
  }
  s.manager.warmPool = pool;
  return pool;
}
