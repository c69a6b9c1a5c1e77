// Playground lifecycle: create from a template or manifest, stop/start/restart, destroy,
// extend, lifetime enforcement, and re-adoption after an agent restart. Talks to
// machines only through the Driver interface and never branches on which driver it is.
import type { Duplex } from 'node:stream';
import { stringify } from 'yaml';
import {
  type CreatePlaygroundRequest,
  type DriverName,
  type MachineState,
  type PlaygroundEvent,
  type PlaygroundRecord,
  type PlaygroundState,
  hostAlias,
} from '../api/protocol';
import type { Driver, DriverContext, KeyPair, PlaygroundSpec } from '../drivers/protocol';
import { machineUsers } from '../manifests/users';
import { generateEd25519, knownHostsLine } from '../keys/keys';
import { loadManifestText } from '../manifests/load';
import { buildPlaygroundSpec } from '../manifests/spec';
import { machineResources, type PlaygroundManifest } from '../manifests/schema';
import { newPlaygroundId } from '../util/ids';
import type { TemplateCatalog } from './catalog';
import { now, type PlaygroundEvents } from './events';
import type { PlaygroundStore, StoredPlayground } from './store';

export const DEFAULT_LIFETIME_MINUTES = 120;
const MAX_LIFETIME_MINUTES = 7 * 24 * 60;

/** An error the API reports with a status code and a one-line message. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  stored: StoredPlayground;
  spec: PlaygroundSpec;
  driver: Driver;
  /** Serialises lifecycle operations on one playground. */
  queue: Promise<unknown>;
}

export interface ManagerOptions {
  store: PlaygroundStore;
  catalog: TemplateCatalog;
  drivers: Partial<Record<DriverName, Driver>>;
  defaultDriver: DriverName;
  events: PlaygroundEvents;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** How often lifetimes are checked. */
  sweepMs?: number;
}

export class PlaygroundManager {
  private readonly entries = new Map<string, Entry>();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Hooks other services (the task engine) use to follow lifecycle changes. */
  readonly onStateChange = new Set<(record: PlaygroundRecord) => void>();

  constructor(private readonly opts: ManagerOptions) {}

  // --- start-up ---

  /** Loads every stored playground, re-adopts running machines, restarts the ones that were running. */
  async init(): Promise<void> {
    const { loaded, problems } = this.opts.store.loadAll();
    for (const p of problems) this.opts.log('error', `cannot load playground: ${p}`);
    for (const stored of loaded) {
      const driver = this.opts.drivers[stored.record.driver];
      const spec = this.buildSpec(stored, loadManifestText(stored.manifestText, stored.manifestName));
      if (!driver) {
        stored.record.state = 'lost';
        stored.record.error = `the ${stored.record.driver} driver is not enabled in this agent (start it with --driver ${stored.record.driver})`;
        this.entries.set(stored.record.id, { stored, spec, driver: undefined as unknown as Driver, queue: Promise.resolve() });
        continue;
      }
      const entry: Entry = { stored, spec, driver, queue: Promise.resolve() };
      this.entries.set(stored.record.id, entry);
      const wasRunning = ['running', 'provisioning', 'starting'].includes(stored.record.state);
      let states: Record<string, MachineState>;
      try {
        states = await driver.adopt(spec, this.ctx(entry));
      } catch (err) {
        this.markFailed(entry, `cannot re-adopt: ${(err as Error).message}`);
        continue;
      }
      for (const m of stored.record.machines) m.state = states[m.name] ?? 'lost';
      const allRunning = stored.record.machines.every((m) => m.state === 'running');
      if (allRunning) {
        stored.record.state = 'running';
        await this.save(entry);
      } else if (wasRunning) {
        this.opts.log('info', `${stored.record.id}: machines were not running after the agent restarted; starting them again`);
        void this.enqueue(entry, () => this.doStart(entry));
      } else if (stored.record.state !== 'failed') {
        stored.record.state = 'stopped';
        await this.save(entry);
      }
    }
    this.sweepTimer = setInterval(() => void this.sweep(), this.opts.sweepMs ?? 5000);
    this.sweepTimer.unref();
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.entries.values()].map((e) => e.queue));
  }

  // --- queries ---

  list(): PlaygroundRecord[] {
    return [...this.entries.values()].map((e) => e.stored.record).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): PlaygroundRecord {
    return this.entry(id).stored.record;
  }

  spec(id: string): PlaygroundSpec {
    return this.entry(id).spec;
  }

  userKey(id: string): KeyPair {
    return this.entry(id).stored.userKey;
  }

  knownHosts(id: string): string[] {
    const e = this.entry(id);
    return e.stored.record.machines.map((m) => knownHostsLine(hostAlias(id, m.name), m.hostKey));
  }

  async memoryUsage(id: string): Promise<Record<string, number>> {
    const e = this.entry(id);
    return (await e.driver.memoryUsage?.(e.spec)) ?? {};
  }

  // --- lifecycle ---

  async create(req: CreatePlaygroundRequest): Promise<PlaygroundRecord> {
    const { manifest, manifestText, manifestName, template } = this.resolveManifest(req);
    const driverName = manifest.playground.driver ?? this.opts.defaultDriver;
    const driver = this.opts.drivers[driverName];
    if (!driver) {
      throw new ApiProblem(
        400,
        'driver_unavailable',
        `template "${template}" needs the ${driverName} driver, which this agent was not started with (sandlot agent --driver ${driverName})`,
      );
    }
    const lifetime = this.lifetime(req.lifetimeMinutes);
    const id = newPlaygroundId();
    const userKey = generateEd25519(`sandlot ${id}`);
    const hostKeys = Object.fromEntries(manifest.playground.machines.map((m) => [m.name, generateEd25519(hostAlias(id, m.name))]));
    const created = new Date();
    const record: PlaygroundRecord = {
      id,
      template,
      title: manifest.title ?? manifest.name,
      driver: driverName,
      state: 'provisioning',
      createdAt: created.toISOString(),
      deadline: new Date(created.getTime() + lifetime * 60_000).toISOString(),
      userPublicKey: userKey.publicKey,
      machines: manifest.playground.machines.map((m) => {
        const users = machineUsers((m.users ?? [{ name: 'root' }]).map((u) => u.name));
        const defaultUser = m.users?.find((u) => u.default)?.name ?? m.users?.[0]?.name ?? 'root';
        const { cpuCount, ramSize } = machineResources(m.resources);
        return {
          name: m.name,
          state: 'creating',
          users: users.map((u) => u.name),
          defaultUser,
          home: users.find((u) => u.name === defaultUser)!.home,
          noSSH: m.noSSH ?? false,
          hostKey: hostKeys[m.name].publicKey,
          resources: { cpuCount, ramSize },
        };
      }),
    };
    const stored: StoredPlayground = { record, manifestText, manifestName, userKey, hostKeys };
    const spec = this.buildSpec(stored, manifest);
    await driver.preflight().catch((err: Error) => {
      throw new ApiProblem(503, 'driver_unavailable', err.message);
    });
    await driver.validate?.(spec).catch((err: Error) => {
      throw new ApiProblem(
        400,
        'invalid_manifest',
        err.message
          .split('\n')
          .map((l) => `${manifestName}: ${l}`)
          .join('\n'),
      );
    });
    for (const m of record.machines) m.address = driver.address?.(spec, m.name);
    this.opts.store.create(stored);
    const entry: Entry = { stored, spec, driver, queue: Promise.resolve() };
    this.entries.set(id, entry);
    this.emit(id, {
      type: 'playground',
      at: now(),
      state: 'provisioning',
      message: `creating ${record.machines.length} machine(s) with the ${driverName} driver`,
    });
    void this.enqueue(entry, async () => {
      try {
        await driver.create(spec, this.ctx(entry));
        this.setMachines(entry, 'running');
        await this.setState(entry, 'running');
      } catch (err) {
        this.setMachines(entry, 'failed');
        await this.markFailed(entry, (err as Error).message);
      }
    });
    return record;
  }

  stop(id: string): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    return this.enqueue(e, () => this.doStop(e));
  }

  start(id: string): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    return this.enqueue(e, () => this.doStart(e));
  }

  restart(id: string): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    return this.enqueue(e, async () => {
      await this.doStop(e);
      return this.doStart(e);
    });
  }

  async destroy(id: string): Promise<void> {
    const e = this.entry(id);
    await this.enqueue(e, async () => {
      await this.setState(e, 'destroying');
      await e.driver?.destroy(e.spec, this.ctx(e));
      e.stored.record.state = 'destroyed';
      this.emit(id, { type: 'playground', at: now(), state: 'destroyed' });
      for (const l of this.onStateChange) l(e.stored.record);
      this.entries.delete(id);
      this.opts.store.remove(id);
    });
    this.opts.events.forget(id);
  }

  async extend(id: string, minutes: number): Promise<PlaygroundRecord> {
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_LIFETIME_MINUTES) {
      throw new ApiProblem(
        400,
        'invalid_request',
        `minutes: expected a number of minutes between 1 and ${MAX_LIFETIME_MINUTES}, got ${JSON.stringify(minutes)}`,
      );
    }
    const e = this.entry(id);
    const base = Math.max(Date.now(), Date.parse(e.stored.record.deadline));
    e.stored.record.deadline = new Date(base + minutes * 60_000).toISOString();
    await this.save(e);
    this.emit(id, { type: 'log', at: now(), level: 'info', message: `lifetime extended to ${e.stored.record.deadline}` });
    return e.stored.record;
  }

  /**
   * A byte stream to a machine's TCP port. `forUser` connections (tunnels from the API)
   * respect noSSH; the agent's own task connections do not.
   */
  async connect(id: string, machine: string, port: number, forUser: boolean): Promise<Duplex> {
    const e = this.entry(id);
    const m = e.stored.record.machines.find((x) => x.name === machine);
    if (!m)
      throw new ApiProblem(
        404,
        'not_found',
        `playground ${id} has no machine "${machine}" (machines: ${e.stored.record.machines.map((x) => x.name).join(', ')})`,
      );
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new ApiProblem(400, 'invalid_request', `port: expected 1-65535, got ${JSON.stringify(port)}`);
    if (forUser && port === 22 && m.noSSH) throw new ApiProblem(403, 'no_ssh', `machine ${machine} has noSSH set in its manifest`);
    if (e.stored.record.state !== 'running' || m.state !== 'running') {
      throw new ApiProblem(
        409,
        'not_running',
        `machine ${machine} of ${id} is ${m.state} (playground ${e.stored.record.state}); start it with: sandlot start ${id}`,
      );
    }
    return e.driver.connect(e.spec, machine, port);
  }

  // --- internals ---

  private resolveManifest(req: CreatePlaygroundRequest): { manifest: PlaygroundManifest; manifestText: string; manifestName: string; template: string } {
    if (req.template && req.manifest) throw new ApiProblem(400, 'invalid_request', 'give either "template" or "manifest", not both');
    if (req.template) {
      const entry = this.opts.catalog.get(req.template);
      if (!entry) {
        const names = this.opts.catalog.list().map((t) => t.name);
        throw new ApiProblem(404, 'unknown_template', `unknown template "${req.template}" (available: ${names.join(', ')})`);
      }
      return { manifest: entry.manifest, manifestText: stringify(entry.manifest), manifestName: entry.file, template: req.template };
    }
    if (typeof req.manifest === 'string') {
      const name = req.manifestName ?? 'manifest';
      try {
        const manifest = loadManifestText(req.manifest, name);
        return { manifest, manifestText: req.manifest, manifestName: name, template: manifest.name };
      } catch (err) {
        throw new ApiProblem(400, 'invalid_manifest', (err as Error).message);
      }
    }
    throw new ApiProblem(400, 'invalid_request', 'expected "template" (a catalog name) or "manifest" (YAML text)');
  }

  private lifetime(minutes: number | undefined): number {
    if (minutes === undefined) return DEFAULT_LIFETIME_MINUTES;
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_LIFETIME_MINUTES) {
      throw new ApiProblem(400, 'invalid_request', `lifetimeMinutes: expected 1-${MAX_LIFETIME_MINUTES}, got ${JSON.stringify(minutes)}`);
    }
    return minutes;
  }

  private buildSpec(stored: StoredPlayground, manifest: PlaygroundManifest): PlaygroundSpec {
    const { id } = stored.record;
    return buildPlaygroundSpec(manifest, { id, dir: this.opts.store.dir(id), userKey: stored.userKey, hostKeys: stored.hostKeys });
  }

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new ApiProblem(404, 'not_found', `no playground "${id}" (see: sandlot list)`);
    return e;
  }

  private enqueue<T>(e: Entry, op: () => Promise<T>): Promise<T> {
    const next = e.queue.then(op, op);
    e.queue = next.catch(() => undefined);
    return next;
  }

  private async doStop(e: Entry): Promise<PlaygroundRecord> {
    await this.setState(e, 'stopping');
    try {
      await e.driver.stop(e.spec, this.ctx(e));
      this.setMachines(e, 'stopped');
      await this.setState(e, 'stopped');
    } catch (err) {
      await this.markFailed(e, `stop: ${(err as Error).message}`);
    }
    return e.stored.record;
  }

  private async doStart(e: Entry): Promise<PlaygroundRecord> {
    if (Date.parse(e.stored.record.deadline) <= Date.now()) {
      throw new ApiProblem(409, 'expired', `playground ${e.stored.record.id} has expired; extend it first (sandlot extend ${e.stored.record.id})`);
    }
    await this.setState(e, 'starting');
    try {
      await e.driver.start(e.spec, this.ctx(e));
      this.setMachines(e, 'running');
      e.stored.record.error = undefined;
      await this.setState(e, 'running');
    } catch (err) {
      await this.markFailed(e, `start: ${(err as Error).message}`);
    }
    return e.stored.record;
  }

  private async sweep(): Promise<void> {
    for (const e of [...this.entries.values()]) {
      const r = e.stored.record;
      if (Date.parse(r.deadline) > Date.now() || ['destroying', 'destroyed'].includes(r.state)) continue;
      this.emit(r.id, { type: 'log', at: now(), level: 'warn', message: `lifetime ended at ${r.deadline}: stopping, then destroying` });
      try {
        if (r.state === 'running' || r.state === 'starting' || r.state === 'provisioning') await this.stop(r.id);
        await this.destroy(r.id);
        this.opts.log('info', `${r.id}: expired and destroyed`);
      } catch (err) {
        this.opts.log('error', `${r.id}: expiry failed: ${(err as Error).message}`);
      }
    }
  }

  private ctx(e: Entry): DriverContext {
    const id = e.stored.record.id;
    return {
      progress: (step, status, machine, message) => {
        this.emit(id, { type: 'step', at: now(), step, status, machine, message });
        if (machine && status === 'done') this.setMachine(e, machine, 'running');
      },
      log: (level, message, machine) => this.emit(id, { type: 'log', at: now(), level, message, machine }),
    };
  }

  private setMachine(e: Entry, machine: string, state: MachineState): void {
    const m = e.stored.record.machines.find((x) => x.name === machine);
    if (!m || m.state === state) return;
    m.state = state;
    this.emit(e.stored.record.id, { type: 'machine', at: now(), machine, state });
  }

  private setMachines(e: Entry, state: MachineState): void {
    for (const m of e.stored.record.machines) this.setMachine(e, m.name, state);
  }

  private async setState(e: Entry, state: PlaygroundState, message?: string): Promise<void> {
    e.stored.record.state = state;
    await this.save(e);
    this.emit(e.stored.record.id, { type: 'playground', at: now(), state, message });
    for (const l of this.onStateChange) l(e.stored.record);
  }

  private async markFailed(e: Entry, message: string): Promise<void> {
    e.stored.record.error = message;
    this.emit(e.stored.record.id, { type: 'error', at: now(), message });
    this.opts.log('error', `${e.stored.record.id}: ${message}`);
    await this.setState(e, 'failed', message);
  }

  async save(e: Entry | string): Promise<void> {
    const entry = typeof e === 'string' ? this.entry(e) : e;
    await this.opts.store.saveRecord(entry.stored.record);
  }

  emit(id: string, event: PlaygroundEvent): void {
    this.opts.events.emit(id, event);
  }
}
