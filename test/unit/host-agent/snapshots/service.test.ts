// The snapshot service on the in-memory fake driver, a real playground store and a real
// snapshot store in a temp dir: what a snapshot records, forks with new identities, the
// refusal of damaged and partial snapshots (before any playground record exists), deletion
// refused while a playground or template uses a snapshot, drivers without snapshots, the
// collection of snapshots made for a fork, and autoSnapshotOnExpiry.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiProblem, type PlaygroundEvent, type PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { builtinTemplatesDir, TemplateCatalog } from '../../../../host-agent/playgrounds/catalog';
import { PlaygroundEvents } from '../../../../host-agent/playgrounds/events';
import { PlaygroundManager } from '../../../../host-agent/playgrounds/manager';
import { PlaygroundStore } from '../../../../host-agent/playgrounds/store';
import { SnapshotService } from '../../../../host-agent/snapshots/service';
import { SnapshotStore } from '../../../../host-agent/snapshots/store';
import { FakeDriver } from '../../../helpers/fake-driver';

let root: string;
let driver: FakeDriver;
let events: PlaygroundEvents;
let catalog: TemplateCatalog;
let manager: PlaygroundManager;
let snapshots: SnapshotService;
let store: SnapshotStore;
let logs: string[];

function setUp(opts: { driver?: FakeDriver; autoSnapshotOnExpiry?: boolean; sweepMs?: number } = {}): void {
  driver = opts.driver ?? new FakeDriver();
  events = new PlaygroundEvents();
  logs = [];
  const userTemplates = path.join(root, 'templates');
  catalog = new TemplateCatalog([
    { dir: builtinTemplatesDir(), source: 'builtin' },
    { dir: userTemplates, source: 'user' },
  ]);
  const log = (level: string, message: string) => logs.push(`${level} ${message}`);
  const hooks: { expiry?: (id: string) => Promise<void> } = {};
  manager = new PlaygroundManager({
    store: new PlaygroundStore(path.join(root, 'playgrounds')),
    catalog,
    drivers: { [driver.name]: driver },
    defaultDriver: driver.name,
    events,
    log,
    host: { memBytes: 8 * 1024 ** 3, cpus: 4 },
    sweepMs: opts.sweepMs,
    ...(opts.autoSnapshotOnExpiry ? { beforeExpiry: (id: string) => hooks.expiry?.(id) ?? Promise.resolve() } : {}),
  });
  store = new SnapshotStore(path.join(root, 'snapshots'));
  snapshots = new SnapshotService({ store, manager, catalog, drivers: { [driver.name]: driver }, userTemplates, log });
  hooks.expiry = (id) => snapshots.beforeExpiry(id);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-snapshots-'));
});

afterEach(async () => {
  await manager.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function running(template = 'linux'): Promise<PlaygroundRecord> {
  const r = await manager.create({ template });
  await until(`${r.id} running`, () => manager.get(r.id).state === 'running');
  return r;
}

async function forked(r: Promise<PlaygroundRecord>): Promise<PlaygroundRecord> {
  const created = await r;
  await until(`${created.id} running`, () => manager.get(created.id).state === 'running');
  return manager.get(created.id);
}

async function problem(p: Promise<unknown>): Promise<ApiProblem> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiProblem)) throw new Error(`expected an ApiProblem, got ${String(err)}`);
  return err;
}

const filesOf = (id: string) => path.join(store.dir(id), 'machines', 'dev', 'files.json');

describe('snapshots and forks', () => {
  beforeEach(() => setUp());

  it('records what it holds, with checksums, and its progress on the event stream', async () => {
    const pg = await running();
    driver.files.set(pg.id, { dev: { '/root/note': 'hello' } });
    const seen: PlaygroundEvent[] = [];
    events.subscribe(pg.id, (e) => seen.push(e));
    const meta = await snapshots.create(pg.id, 'first', 'user');
    expect(meta).toMatchObject({ name: 'first', playground: pg.id, template: 'linux', driver: 'sandbox', purpose: 'user', contents: { files: 1 } });
    expect(meta.manifest).toMatch(/^# Effective manifest of pg-/);
    expect(meta.machines.map(({ bytes: _, ...m }) => m)).toEqual([{ name: 'dev', image: 'linux', paths: ['machines/dev/files.json'] }]);
    expect(meta.machines[0].bytes).toBeGreaterThan(0);
    expect(fs.readdirSync(store.dir(meta.id)).sort()).toEqual(['contents.txt', 'machines', 'snapshot.json']);
    expect(seen.filter((e) => e.type === 'step').map((e) => e.type === 'step' && `${e.step} ${e.status}`)).toEqual([
      'snapshot started',
      'snapshot started',
      'snapshot done',
      'checksum started',
      'checksum done',
      'snapshot done',
    ]);
    expect(snapshots.list(pg.id)).toMatchObject([{ id: meta.id, state: 'ready', files: 1 }]);
    expect(snapshots.get('first').id).toBe(meta.id);
    expect((await problem(snapshots.create(pg.id, 'first', 'user'))).code).toBe('name_taken');
  });

  it('snapshots a stopped playground without showing its machines as running', async () => {
    const pg = await running();
    await manager.stop(pg.id);
    await snapshots.create(pg.id, undefined, 'user');
    expect(manager.get(pg.id).machines.map((m) => m.state)).toEqual(['stopped']);
    expect(manager.get(pg.id).state).toBe('stopped');
  });

  it('forks with the state and new identities; each fork diverges on its own', async () => {
    const pg = await running();
    driver.files.set(pg.id, { dev: { '/root/note': 'hello' } });
    const meta = await snapshots.create(pg.id, undefined, 'user');
    const a = await forked(snapshots.forkSnapshot(meta.id, {}));
    const b = await forked(snapshots.forkSnapshot(meta.id, { title: 'B' }));
    expect([a.forkOf, b.forkOf]).toEqual([meta.id, meta.id]);
    expect(b.title).toBe('B');
    expect(new Set([pg.id, a.id, b.id]).size).toBe(3);
    const hostKeys = [pg, a, b].map((r) => r.machines[0].hostKey);
    expect(new Set(hostKeys).size).toBe(3);
    expect(new Set([pg, a, b].map((r) => r.userPublicKey)).size).toBe(3);
    expect(driver.files.get(a.id)).toEqual({ dev: { '/root/note': 'hello' } });
    driver.files.get(a.id)!.dev['/root/note'] = 'changed in a';
    expect(driver.files.get(b.id)!.dev['/root/note']).toBe('hello');
    expect(driver.files.get(pg.id)!.dev['/root/note']).toBe('hello');
  });

  it('refuses a snapshot whose driver says its objects outside the directory are gone, every time, before any record exists', async () => {
    const pg = await running();
    const meta = await snapshots.create(pg.id, undefined, 'user');
    await forked(snapshots.forkSnapshot(meta.id, {}));
    driver.outsideProblem = 'image sandlot-snapshot:x-dev of machine dev is gone from the Docker engine';
    const before = manager.list().length;
    const err = await problem(snapshots.forkSnapshot(meta.id, {}));
    expect(err.code).toBe('snapshot_damaged');
    expect(err.message).toBe(
      `snapshot ${meta.id} is damaged: image sandlot-snapshot:x-dev of machine dev is gone from the Docker engine; it cannot be forked (delete it with: sandlot snapshots rm ${meta.id})`,
    );
    expect(manager.list()).toHaveLength(before);
    driver.outsideProblem = undefined;
    await forked(snapshots.forkSnapshot(meta.id, {}));
  });

  it('refuses a snapshot whose files were changed, before any playground record exists', async () => {
    const pg = await running();
    const meta = await snapshots.create(pg.id, undefined, 'user');
    // Same size, other content: only the hash tells.
    const text = fs.readFileSync(filesOf(meta.id), 'utf8');
    fs.writeFileSync(filesOf(meta.id), text.replace('{', '['));
    const before = manager.list().length;
    const err = await problem(snapshots.forkSnapshot(meta.id, {}));
    expect(err.code).toBe('snapshot_damaged');
    expect(err.message).toBe(
      `snapshot ${meta.id} is damaged: its files are not what it recorded (machines/dev/files.json changed content); it cannot be forked (delete it with: sandlot snapshots rm ${meta.id})`,
    );
    expect(manager.list()).toHaveLength(before);
    expect(driver.calls.filter((c) => c.op === 'createFromSnapshot')).toEqual([]);
    // Put back as it was: forks work again.
    fs.writeFileSync(filesOf(meta.id), text);
    await forked(snapshots.forkSnapshot(meta.id, {}));
  });

  it('refuses a snapshot whose metadata or listing was changed, and a removed file', async () => {
    const pg = await running();
    const meta = await snapshots.create(pg.id, undefined, 'user');
    const json = path.join(store.dir(meta.id), 'snapshot.json');
    const original = fs.readFileSync(json, 'utf8');
    fs.writeFileSync(json, original.replace('"title": "Linux"', '"title": "Linux!"'));
    expect(snapshots.get(meta.id)).toMatchObject({ state: 'damaged', problem: 'snapshot.json does not match its checksum' });
    expect((await problem(snapshots.forkSnapshot(meta.id, {}))).message).toMatch(/is damaged: snapshot\.json does not match its checksum/);
    fs.writeFileSync(json, original);
    fs.appendFileSync(path.join(store.dir(meta.id), 'contents.txt'), '\n');
    expect((await problem(snapshots.forkSnapshot(meta.id, {}))).message).toMatch(/is damaged: contents\.txt does not match its checksum/);
    fs.writeFileSync(path.join(store.dir(meta.id), 'contents.txt'), fs.readFileSync(path.join(store.dir(meta.id), 'contents.txt'), 'utf8').trimEnd() + '\n');
    fs.rmSync(filesOf(meta.id));
    expect((await problem(snapshots.forkSnapshot(meta.id, {}))).message).toMatch(/machines\/dev\/files\.json is missing/);
    expect(manager.list().map((r) => r.id)).toEqual([pg.id]);
  });

  it('lists a partial snapshot as such, never forks it, and deletes it', async () => {
    const pg = await running();
    const meta = await snapshots.create(pg.id, 'half', 'user');
    fs.rmSync(path.join(store.dir(meta.id), 'snapshot.json'));
    expect(snapshots.get(meta.id)).toMatchObject({ state: 'partial', problem: 'it has no snapshot.json: its creation was interrupted' });
    const err = await problem(snapshots.forkSnapshot(meta.id, {}));
    expect(err).toMatchObject({ code: 'snapshot_damaged' });
    expect(err.message).toMatch(new RegExp(`^snapshot ${meta.id} is partial: it has no snapshot.json`));
    expect(await snapshots.delete(meta.id)).toBe(meta.id);
    expect(fs.existsSync(store.dir(meta.id))).toBe(false);
  });

  it('removes what a failed snapshot wrote and says nothing was kept', async () => {
    const pg = await running();
    driver.failNext('snapshot', 'disk full');
    const err = await problem(snapshots.create(pg.id, 'x', 'user'));
    expect(err).toMatchObject({ code: 'snapshot_failed', message: `snapshot of ${pg.id} failed: disk full; nothing was kept` });
    expect(store.ids()).toEqual([]);
    expect(manager.get(pg.id).state).toBe('running');
  });

  it('refuses to delete a snapshot a playground or template uses, naming them', async () => {
    const pg = await running();
    const meta = await snapshots.create(pg.id, undefined, 'user');
    const fork = await forked(snapshots.forkSnapshot(meta.id, {}));
    await snapshots.save({ snapshot: meta.id }, { name: 'my-lab' });
    const err = await problem(snapshots.delete(meta.id));
    expect(err).toMatchObject({ code: 'snapshot_in_use' });
    expect(err.message).toBe(
      `snapshot ${meta.id} is used by playground ${fork.id} and template my-lab; remove them first (sandlot destroy, sandlot templates rm)`,
    );
    await manager.destroy(fork.id);
    expect((await problem(snapshots.delete(meta.id))).message).toMatch(/used by template my-lab/);
    await snapshots.removeTemplate('my-lab');
    // A snapshot the user made stays when its last user goes.
    expect(store.ids()).toEqual([meta.id]);
    await snapshots.delete(meta.id);
    expect(store.ids()).toEqual([]);
  });

  it('starts a saved template by forking its snapshot, and refuses names that exist', async () => {
    const pg = await running();
    driver.files.set(pg.id, { dev: { '/etc/motd': 'saved' } });
    const t = await snapshots.save({ playground: pg.id }, { name: 'my-lab', title: 'Mine' });
    expect(t).toMatchObject({ name: 'my-lab', title: 'Mine', source: 'user' });
    expect(t.snapshot).toMatch(/^sn-/);
    expect(fs.readFileSync(path.join(root, 'templates', 'my-lab.yaml'), 'utf8')).toMatch(/^# Saved by `sandlot save` from pg-/);
    const started = await forked(snapshots.createPlayground({ template: 'my-lab' }));
    expect(started).toMatchObject({ template: 'my-lab', title: 'Mine', forkOf: t.snapshot });
    expect(driver.files.get(started.id)).toEqual({ dev: { '/etc/motd': 'saved' } });
    expect((await problem(snapshots.save({ playground: pg.id }, { name: 'linux' }))).message).toBe('a built-in template "linux" exists; choose another name');
    expect((await problem(snapshots.save({ playground: pg.id }, { name: 'my-lab' }))).message).toBe(
      'a template "my-lab" exists; remove it first: sandlot templates rm my-lab',
    );
    expect((await problem(snapshots.removeTemplate('linux'))).code).toBe('template_not_removable');
    expect((await problem(snapshots.removeTemplate('nope'))).code).toBe('template_not_found');
  });

  it('removes a snapshot made for a fork or a template with its last user', async () => {
    const pg = await running();
    const a = await forked(snapshots.forkPlayground(pg.id, {}));
    const b = await forked(snapshots.forkSnapshot(a.forkOf!, {}));
    await snapshots.save({ snapshot: a.forkOf! }, { name: 'kept' });
    await manager.destroy(a.id);
    await manager.destroy(b.id);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.ids()).toEqual([a.forkOf]);
    await snapshots.removeTemplate('kept');
    expect(store.ids()).toEqual([]);
  });
});

describe('a driver that cannot snapshot', () => {
  beforeEach(() => setUp({ driver: new FakeDriver('microvm', { snapshots: false }) }));

  it('is named in one clear refusal', async () => {
    const r = await manager.create({ manifest: 'kind: playground\nname: vm\nplayground:\n  driver: microvm\n  machines:\n    - name: dev\n' });
    await until(`${r.id} running`, () => manager.get(r.id).state === 'running');
    const pg = manager.get(r.id);
    const err = await problem(snapshots.create(pg.id, undefined, 'user'));
    expect(err).toMatchObject({ code: 'snapshot_unsupported' });
    expect(err.message).toBe('the microvm driver cannot snapshot yet (snapshots and forks work with the sandbox and docker drivers)');
    expect((await problem(snapshots.forkPlayground(pg.id, {}))).code).toBe('snapshot_unsupported');
    expect(store.ids()).toEqual([]);
  });
});

describe('autoSnapshotOnExpiry', () => {
  beforeEach(() => setUp({ autoSnapshotOnExpiry: true, sweepMs: 20 }));

  it('snapshots an expired playground before destroying it; a failed snapshot keeps the playground', async () => {
    await manager.init();
    const pg = await running();
    driver.files.set(pg.id, { dev: { '/root/work': 'unsaved' } });
    const kept = await running();
    driver.failNext('snapshot', 'no space');
    await manager.update(kept.id, (r) => (r.deadline = new Date(Date.now() - 1000).toISOString()));
    await until('the failed expiry', () => logs.some((l) => l.includes(`${kept.id}: expiry failed`)));
    expect(manager.get(kept.id).state).toBe('stopped');
    await manager.update(pg.id, (r) => (r.deadline = new Date(Date.now() - 1000).toISOString()));
    await until(`${pg.id} gone`, () => !manager.list().some((r) => r.id === pg.id));
    const [snap] = snapshots.list(pg.id);
    expect(snap).toMatchObject({ purpose: 'expiry', state: 'ready' });
    const fork = await forked(snapshots.forkSnapshot(snap.id, {}));
    expect(driver.files.get(fork.id)).toEqual({ dev: { '/root/work': 'unsaved' } });
    // Not tried again every sweep.
    await new Promise((r) => setTimeout(r, 100));
    expect(driver.calls.filter((c) => c.op === 'snapshot' && c.id === kept.id)).toHaveLength(1);
  });
});
