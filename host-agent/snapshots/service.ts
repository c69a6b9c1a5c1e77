// Snapshots, forks and saved templates above the driver boundary: the agent decides where a
// snapshot lives and what it records (store.ts), checks it before every fork, and knows who
// uses it; the driver only copies machines (Driver.snapshot / createFromSnapshot /
// deleteSnapshot). A driver without those methods gets one clear refusal.
//
// A fork never half-starts from a bad snapshot: the snapshot is checked completely (its
// metadata, its listing, every file against the listing) before the new playground's
// record exists. Reading every file costs seconds per GiB, so it is done once per agent
// run and snapshot; later forks compare a stat fingerprint (inode, change time, size of
// every path: a write always moves the change time) and read everything again only when
// that differs.
import * as fs from 'node:fs';
import {
  ApiProblem,
  type BodyOf,
  type DriverName,
  type PlaygroundRecord,
  type SnapshotPurpose,
  type SnapshotRecord,
  type TemplateSummary,
} from '../api/protocol';
import type { Driver, DriverContext, PlaygroundSpec } from '../drivers/protocol';
import { effectiveManifest, manifestYaml } from '../manifests/effective';
import { loadManifestText } from '../manifests/load';
import type { CatalogEntry, TemplateCatalog } from '../playgrounds/catalog';
import { now } from '../playgrounds/events';
import { cannotSnapshot, type PlaygroundManager } from '../playgrounds/manager';
import { errorMessage } from '../util/errors';
import { newSnapshotId, SNAPSHOT_ID } from '../util/ids';
import { fingerprintInWorker, listInWorker } from './contents-job';
import { firstDifference } from './contents';
import { removeUserTemplate, writeSavedTemplate } from './saved-templates';
import { AGENT_FILES, type ReadSnapshot, type SnapshotMeta, type SnapshotStore } from './store';

export interface SnapshotServiceOptions {
  store: SnapshotStore;
  manager: PlaygroundManager;
  catalog: TemplateCatalog;
  drivers: Partial<Record<DriverName, Driver>>;
  /** The user's template directory (saved templates go there). */
  userTemplates: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

type ForkBody = BodyOf<'forkSnapshot'>;
type SaveBody = BodyOf<'saveSnapshot'>;

/** Purposes whose snapshot goes with its last user. */
const IMPLICIT: readonly SnapshotPurpose[] = ['fork', 'template'];

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export class SnapshotService {
  /** Snapshots being made: id → playground and name (names are reserved from the start). */
  private readonly creating = new Map<string, { playground: string; name?: string }>();
  /** Forks (and saves) under way per snapshot: it is not deleted under them. */
  private readonly busy = new Map<string, number>();
  /** Template names being saved. */
  private readonly saving = new Set<string>();
  /** Stat fingerprints of snapshots whose every file was found as recorded in this agent run. */
  private readonly verified = new Map<string, string>();

  constructor(private readonly opts: SnapshotServiceOptions) {
    // A destroyed fork may have been the last user of the snapshot made for it.
    opts.manager.onStateChange.add((r) => {
      const from = r.forkOf;
      if (r.state === 'destroyed' && from) setImmediate(() => void this.collect(from));
    });
  }

  /** Removes what interrupted deletes left; returns lines for the log. */
  init(): string[] {
    return this.opts.store.cleanDeleted();
  }

  // --- queries ---

  list(playground?: string): SnapshotRecord[] {
    const usage = this.usage();
    const records = this.opts.store.ids().map((id) => this.record(id, usage));
    return records.filter((r) => !playground || r.playground === playground).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(ref: string): SnapshotRecord {
    return this.record(this.resolve(ref), this.usage());
  }

  /** The id of a snapshot given by id or name. */
  resolve(ref: string): string {
    if (SNAPSHOT_ID.test(ref) && (fs.existsSync(this.opts.store.dir(ref)) || this.creating.has(ref))) return ref;
    for (const [id, c] of this.creating) if (c.name === ref) return id;
    for (const id of this.opts.store.ids()) {
      const r = this.opts.store.read(id);
      if (r.meta?.name === ref) return id;
    }
    throw new ApiProblem('snapshot_not_found', `no snapshot "${ref}" (see: sandlot snapshots)`);
  }

  // --- snapshots ---

  /** Freezes a playground's machines into a new snapshot; progress goes to the playground's event stream. */
  async create(playground: string, name: string | undefined, purpose: SnapshotPurpose): Promise<SnapshotMeta> {
    if (name) this.requireFreeName(name);
    const id = newSnapshotId();
    this.creating.set(id, { playground, name });
    try {
      return await this.opts.manager.operate(playground, (driver, spec, _ctx, record) => {
        if (!driver.snapshot) throw new ApiProblem('snapshot_unsupported', cannotSnapshot(driver.name));
        if (record.state !== 'running' && record.state !== 'stopped') {
          throw new ApiProblem('not_running', `playground ${playground} is ${record.state}: only a running or stopped playground can be snapshotted`);
        }
        return this.copy(driver, driver.snapshot.bind(driver), spec, record, { id, name, purpose });
      });
    } finally {
      this.creating.delete(id);
    }
  }

  private async copy(
    driver: Driver,
    snapshot: NonNullable<Driver['snapshot']>,
    spec: PlaygroundSpec,
    record: PlaygroundRecord,
    { id, name, purpose }: { id: string; name: string | undefined; purpose: SnapshotPurpose },
  ): Promise<SnapshotMeta> {
    const pg = record.id;
    // Steps only: the manager's own context would mark a machine running when its part is done.
    const ctx: DriverContext = {
      progress: (step, status, machine, message) => this.opts.manager.emit(pg, { type: 'step', at: now(), step, status, machine, message }),
      log: (level, message, machine) => this.opts.manager.emit(pg, { type: 'log', at: now(), level, message, machine }),
    };
    const { text, name: manifestName } = this.opts.manager.manifestOf(pg);
    const manifest = manifestYaml(
      effectiveManifest(loadManifestText(text, manifestName), { driver: driver.name }),
      `Effective manifest of ${pg} (${record.template})`,
    );
    const dir = this.opts.store.begin(id);
    ctx.progress('snapshot', 'started', undefined, `${id}${name ? ` (${name})` : ''} of ${pg}, ${record.state}`);
    try {
      const machines = await snapshot(spec, dir, ctx);
      ctx.progress('checksum', 'started', undefined, 'reading every file the driver wrote');
      const { listing, fingerprint } = await listInWorker(dir, AGENT_FILES);
      const meta = this.opts.store.finish(
        {
          format: 1,
          id,
          ...(name ? { name } : {}),
          playground: pg,
          template: record.template,
          title: record.title,
          driver: driver.name,
          manifest,
          manifestName,
          machines,
          createdAt: new Date().toISOString(),
          purpose,
        },
        listing,
      );
      this.verified.set(id, fingerprint);
      ctx.progress('checksum', 'done', undefined, `${listing.files} files, ${mib(listing.bytes)}`);
      ctx.progress('snapshot', 'done', undefined, `${id}: ${mib(machines.reduce((n, m) => n + m.bytes, 0))} on disk`);
      this.opts.log('info', `${pg}: snapshot ${id} made (${listing.files} files)`);
      return meta;
    } catch (err) {
      ctx.progress('snapshot', 'failed', undefined, errorMessage(err));
      await this.removeFiles(id, driver);
      throw err instanceof ApiProblem ? err : new ApiProblem('snapshot_failed', `snapshot of ${pg} failed: ${errorMessage(err)}; nothing was kept`);
    }
  }

  /** Deletes a snapshot nothing uses; returns its id. */
  async delete(ref: string): Promise<string> {
    const id = this.resolve(ref);
    if (this.creating.has(id)) throw new ApiProblem('snapshot_in_use', `snapshot ${id} is still being made`);
    if (this.busy.get(id)) throw new ApiProblem('snapshot_in_use', `snapshot ${id} is being forked or saved right now`);
    const used = this.usedBy(id, this.usage());
    const users = [
      ...(used.playgrounds.length ? [`playground${used.playgrounds.length > 1 ? 's' : ''} ${used.playgrounds.join(', ')}`] : []),
      ...(used.templates.length ? [`template${used.templates.length > 1 ? 's' : ''} ${used.templates.join(', ')}`] : []),
    ];
    if (users.length > 0) {
      const how = [...(used.playgrounds.length ? ['sandlot destroy'] : []), ...(used.templates.length ? ['sandlot templates rm'] : [])].join(', ');
      throw new ApiProblem('snapshot_in_use', `snapshot ${id} is used by ${users.join(' and ')}; remove them first (${how})`);
    }
    const r = this.opts.store.read(id);
    await this.removeFiles(id, r.meta ? this.opts.drivers[r.meta.driver] : undefined);
    this.verified.delete(id);
    this.opts.log('info', `snapshot ${id} deleted`);
    return id;
  }

  /** Deletes a snapshot made for a fork or a template once nothing uses it. */
  private async collect(id: string): Promise<void> {
    if (!SNAPSHOT_ID.test(id) || !fs.existsSync(this.opts.store.dir(id))) return;
    const r = this.opts.store.read(id);
    if (!r.ok || !IMPLICIT.includes(r.meta.purpose)) return;
    const used = this.usedBy(id, this.usage());
    if (used.playgrounds.length || used.templates.length || this.busy.get(id) || this.creating.has(id)) return;
    await this.delete(id).catch((err: unknown) => this.opts.log('warn', `snapshot ${id}: removing it after its last user: ${errorMessage(err)}`));
  }

  /** The driver's part first (engine images outside the directory), then the directory. */
  private async removeFiles(id: string, driver: Driver | undefined): Promise<void> {
    const dir = this.opts.store.dir(id);
    // Without metadata the driver is not known: every driver is asked (deleteSnapshot is idempotent).
    const drivers = driver ? [driver] : Object.values(this.opts.drivers);
    for (const d of drivers)
      await d.deleteSnapshot?.(dir).catch((err: unknown) => this.opts.log('warn', `snapshot ${id}: ${d.name} driver: ${errorMessage(err)}`));
    try {
      this.opts.store.remove(id);
    } catch (err) {
      this.opts.log('error', `snapshot ${id}: removing its files: ${errorMessage(err)}`);
    }
  }

  // --- forks ---

  /** Snapshot now, then fork. */
  async forkPlayground(playground: string, body: ForkBody): Promise<PlaygroundRecord> {
    const meta = await this.create(playground, undefined, 'fork');
    try {
      return await this.forkSnapshot(meta.id, body);
    } catch (err) {
      await this.collect(meta.id);
      throw err;
    }
  }

  /** A new playground whose machines start from the snapshot; `template` when a saved template is started. */
  async forkSnapshot(ref: string, body: ForkBody, template?: CatalogEntry): Promise<PlaygroundRecord> {
    const id = this.resolve(ref);
    return this.holding(id, async () => {
      const meta = await this.verify(id);
      const driver = this.opts.drivers[meta.driver];
      if (!driver) {
        throw new ApiProblem(
          'driver_not_enabled',
          `snapshot ${id} was made by the ${meta.driver} driver, which this agent was not started with (sandlot agent --driver ${meta.driver})`,
        );
      }
      if (!driver.createFromSnapshot) throw new ApiProblem('snapshot_unsupported', cannotSnapshot(driver.name));
      let manifest = meta.manifest;
      let manifestName = `snapshot ${id}`;
      if (template) {
        manifest = fs.readFileSync(template.file, 'utf8');
        manifestName = template.file;
        const want = meta.machines.map((m) => m.name).join(', ');
        const got = template.manifest.playground.machines.map((m) => m.name).join(', ');
        if (want !== got) throw new ApiProblem('invalid_manifest', `${template.file}: its machines (${got}) must be those of snapshot ${id} (${want})`);
      }
      return this.opts.manager.create(
        { manifest, manifestName, lifetimeMinutes: body.lifetimeMinutes },
        {
          snapshot: id,
          driver: meta.driver,
          dir: this.opts.store.dir(id),
          template: template?.summary.name ?? meta.template,
          title: body.title ?? (template ? undefined : meta.title),
        },
      );
    });
  }

  /** `POST /v1/playgrounds`: a saved template forks its snapshot; anything else is a new playground. */
  createPlayground(body: BodyOf<'createPlayground'>): Promise<PlaygroundRecord> {
    const entry = body.template !== undefined ? this.opts.catalog.get(body.template) : undefined;
    if (entry?.snapshot) return this.forkSnapshot(entry.snapshot, { lifetimeMinutes: body.lifetimeMinutes }, entry);
    return this.opts.manager.create(body);
  }

  /**
   * Every check before a fork: metadata and listing against their checksums, then the files
   * against the listing (all read once per agent run; later, when their fingerprint moved).
   */
  private async verify(id: string): Promise<SnapshotMeta> {
    if (this.creating.has(id)) throw new ApiProblem('snapshot_damaged', `snapshot ${id} is still being made; fork it once it is done`);
    const refuse = (state: string, problem: string) =>
      new ApiProblem('snapshot_damaged', `snapshot ${id} is ${state}: ${problem}; it cannot be forked (delete it with: sandlot snapshots rm ${id})`);
    const r: ReadSnapshot = this.opts.store.read(id);
    if (!r.ok) throw refuse(r.state, r.problem);
    const listing = this.opts.store.readListing(r.meta);
    if (!listing.ok) throw refuse('damaged', listing.problem);
    // Outside the directory (engine images): checked every time, another engine user may have removed them.
    const outside = await this.opts.drivers[r.meta.driver]?.checkSnapshot?.(
      r.dir,
      r.meta.machines.map((m) => m.name),
    );
    if (outside) throw refuse('damaged', outside);
    const fingerprint = await fingerprintInWorker(r.dir, AGENT_FILES).catch((err: unknown) => {
      throw refuse('damaged', errorMessage(err));
    });
    if (this.verified.get(id) === fingerprint) return r.meta;
    this.verified.delete(id);
    const actual = await listInWorker(r.dir, AGENT_FILES).catch((err: unknown) => {
      throw refuse('damaged', errorMessage(err));
    });
    const difference = firstDifference(listing.text, actual.listing.text);
    if (difference) throw refuse('damaged', `its files are not what it recorded (${difference})`);
    this.verified.set(id, actual.fingerprint);
    return r.meta;
  }

  // --- templates ---

  /** Saves a playground (snapshot taken now) or a snapshot as a user template. */
  async save(from: { playground: string } | { snapshot: string }, body: SaveBody): Promise<TemplateSummary> {
    const { catalog } = this.opts;
    catalog.reload();
    const existing = catalog.get(body.name);
    if (existing || this.saving.has(body.name)) {
      const how = existing?.source === 'user' ? `remove it first: sandlot templates rm ${body.name}` : 'choose another name';
      throw new ApiProblem('name_taken', `a ${existing?.source === 'builtin' ? 'built-in ' : ''}template "${body.name}" exists; ${how}`);
    }
    this.saving.add(body.name);
    try {
      let meta: SnapshotMeta;
      if ('playground' in from) meta = await this.create(from.playground, undefined, 'template');
      else {
        const id = this.resolve(from.snapshot);
        meta = await this.holding(id, () => this.verify(id));
      }
      writeSavedTemplate(this.opts.userTemplates, body.name, body.title, meta);
      catalog.reload();
      const saved = catalog.get(body.name);
      if (!saved) throw new Error(`the saved template does not load: ${catalog.problems.join('; ')}`);
      this.opts.log('info', `template ${body.name} saved from snapshot ${meta.id}`);
      return saved.summary;
    } finally {
      this.saving.delete(body.name);
    }
  }

  /** Removes a user template; the snapshot saved for it goes too when nothing else uses it. */
  async removeTemplate(name: string): Promise<void> {
    const { catalog } = this.opts;
    catalog.reload();
    const entry = catalog.get(name);
    if (!entry) throw new ApiProblem('template_not_found', `no template "${name}" (see: sandlot templates)`);
    if (entry.source === 'builtin') {
      throw new ApiProblem('template_not_removable', `"${name}" is a built-in template; only your own templates (${this.opts.userTemplates}) can be removed`);
    }
    removeUserTemplate(entry.file);
    catalog.reload();
    if (entry.snapshot) await this.collect(entry.snapshot);
  }

  // --- expiry ---

  /** autoSnapshotOnExpiry: the expired (stopped) playground's state is kept before it is destroyed. */
  async beforeExpiry(playground: string): Promise<void> {
    const meta = await this.create(playground, undefined, 'expiry');
    this.opts.manager.emit(playground, {
      type: 'log',
      at: now(),
      level: 'info',
      message: `expired: its state is kept in snapshot ${meta.id} (sandlot fork ${meta.id})`,
    });
  }

  // --- internals ---

  private requireFreeName(name: string): void {
    const taken = [...this.creating.values()].some((c) => c.name === name) || this.opts.store.ids().some((id) => this.opts.store.read(id).meta?.name === name);
    if (taken) throw new ApiProblem('name_taken', `a snapshot named "${name}" exists (see: sandlot snapshots)`);
  }

  /** Who uses which snapshot: playgrounds forked from it, templates saved from it (the catalog read afresh). */
  private usage(): { playgrounds: PlaygroundRecord[]; templates: TemplateSummary[] } {
    this.opts.catalog.reload();
    return { playgrounds: this.opts.manager.list().filter((p) => p.state !== 'destroyed'), templates: this.opts.catalog.list() };
  }

  private usedBy(id: string, usage: ReturnType<SnapshotService['usage']>): SnapshotRecord['usedBy'] {
    return {
      playgrounds: usage.playgrounds.filter((p) => p.forkOf === id).map((p) => p.id),
      templates: usage.templates.filter((t) => t.snapshot === id).map((t) => t.name),
    };
  }

  private async holding<T>(id: string, op: () => Promise<T>): Promise<T> {
    this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
    try {
      return await op();
    } finally {
      const n = (this.busy.get(id) ?? 1) - 1;
      if (n > 0) this.busy.set(id, n);
      else this.busy.delete(id);
    }
  }

  private record(id: string, usage: ReturnType<SnapshotService['usage']>): SnapshotRecord {
    const creating = this.creating.get(id);
    const blank = {
      playground: '',
      template: '',
      title: '',
      driver: 'sandbox' as const,
      machines: [],
      purpose: 'user' as const,
      files: 0,
      bytes: 0,
      diskBytes: 0,
    };
    if (creating) {
      return {
        ...blank,
        id,
        ...(creating.name ? { name: creating.name } : {}),
        playground: creating.playground,
        createdAt: now(),
        state: 'creating',
        usedBy: { playgrounds: [], templates: [] },
      };
    }
    const r = this.opts.store.read(id);
    const usedBy = this.usedBy(id, usage);
    const meta = r.meta;
    if (!meta) {
      let createdAt = now();
      try {
        createdAt = fs.statSync(r.dir).mtime.toISOString();
      } catch {
        // gone meanwhile
      }
      return { ...blank, id, createdAt, state: r.ok ? 'ready' : r.state, ...(!r.ok ? { problem: r.problem } : {}), usedBy };
    }
    return {
      id,
      ...(meta.name ? { name: meta.name } : {}),
      playground: meta.playground,
      template: meta.template,
      title: meta.title,
      driver: meta.driver,
      machines: meta.machines.map((m) => ({ name: m.name, image: m.image, bytes: m.bytes })),
      createdAt: meta.createdAt,
      purpose: meta.purpose,
      files: meta.contents?.files ?? 0,
      bytes: meta.contents?.bytes ?? 0,
      diskBytes: meta.machines.reduce((n, m) => n + m.bytes, 0),
      state: r.ok ? 'ready' : r.state,
      ...(!r.ok ? { problem: r.problem } : {}),
      usedBy,
    };
  }
}
