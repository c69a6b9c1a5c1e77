// The warm pool's bookkeeping on the real manager and store over the fake driver: filling
// to the count within the memory budget, members hidden from users, hand-out with the
// identity the member was made with (nothing written into its machines) and a refill, what
// does not take from the pool, failures (making a member, handing one out, a member of an
// older template), emptying on close, and members a crashed agent left on disk.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriverName } from '../../../../host-agent/api/protocol';
import type { Driver } from '../../../../host-agent/drivers/protocol';
import { builtinTemplatesDir, TemplateCatalog } from '../../../../host-agent/playgrounds/catalog';
import { PlaygroundEvents } from '../../../../host-agent/playgrounds/events';
import { PlaygroundManager } from '../../../../host-agent/playgrounds/manager';
import { PlaygroundStore } from '../../../../host-agent/playgrounds/store';
import { parseWarmCounts, parseWarmMemory } from '../../../../host-agent/playgrounds/warm-options';
import type { WarmPool } from '../../../../host-agent/playgrounds/warm-pool';
import { startWarmPool } from '../../../../host-agent/playgrounds/warm-setup';
import { FakeDriver } from '../../../helpers/fake-driver';

const GiB = 1024 ** 3;
let root: string;
let driver: FakeDriver;
let logs: string[];
const open: { manager: PlaygroundManager; pool?: WarmPool }[] = [];

function agent(
  warm: Record<string, number>,
  budgetBytes = 8 * GiB,
  drivers: Partial<Record<DriverName, Driver>> = { sandbox: driver },
  catalog = new TemplateCatalog([{ dir: builtinTemplatesDir(), source: 'builtin' }]),
) {
  const manager = new PlaygroundManager({
    store: new PlaygroundStore(root),
    catalog,
    drivers,
    defaultDriver: 'sandbox',
    events: new PlaygroundEvents(),
    log: (level, message) => logs.push(`${level} ${message}`),
    host: { memBytes: 64 * GiB, cpus: 8 },
  });
  const handle: { manager: PlaygroundManager; pool?: WarmPool } = { manager };
  open.push(handle);
  return {
    manager,
    start: async () => {
      await manager.init();
      handle.pool = startWarmPool({
        warm,
        budgetBytes,
        catalog,
        drivers,
        defaultDriver: 'sandbox',
        manager,
        log: (l, m) => logs.push(`${l} ${m}`),
        retryMs: 20,
        refillDelayMs: 10,
      });
      handle.pool?.fill();
      return handle.pool!;
    },
  };
}

/** Waits for `cond`; a timeout (kept under the test's own 5 s) says what the pool held and logged, for a run that hangs. */
async function until(what: string, cond: () => boolean, ms = 3000, pool?: WarmPool): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${pool ? `: pool ${JSON.stringify(pool.info())}; log:\n${logs.join('\n')}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ready = (pool: WarmPool, template = 'linux') => pool.info().templates.find((t) => t.template === template)?.ready ?? 0;
const onDisk = () => new PlaygroundStore(root).loadAll().loaded;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-warm-'));
  driver = new FakeDriver();
  logs = [];
});

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.pool?.close();
    await h.manager.close();
  }
  fs.rmSync(root, { recursive: true, force: true });
});

describe('warm pool', () => {
  it('fills to the count in the background; members are nobody’s: not listed, not found by id', async () => {
    const { manager, start } = agent({ linux: 2 });
    const pool = await start();
    await until('two ready', () => ready(pool) === 2);
    expect(manager.list()).toEqual([]);
    const members = onDisk().filter((p) => p.pool === 'linux');
    expect(members).toHaveLength(2);
    for (const m of members) expect(() => manager.get(m.record.id)).toThrow(/no playground/);
    expect(pool.info()).toMatchObject({
      budgetBytes: 8 * GiB,
      heldBytes: 2 * GiB,
      templates: [{ template: 'linux', driver: 'sandbox', wanted: 2, ready: 2, filling: 0, costBytes: GiB }],
    });
  });

  it('hands out a member with a new record and the identity it was made with, writing nothing into its machines, then refills', async () => {
    const { manager, start } = agent({ linux: 2 });
    const pool = await start();
    await until('two ready', () => ready(pool) === 2);
    const before = new Map(onDisk().map((p) => [p.record.id, p]));
    const record = await manager.create({ template: 'linux', labels: { owner: 'ann' }, lifetimeMinutes: 30 });
    const old = before.get(record.id);
    expect(old?.pool).toBe('linux');
    expect(record).toMatchObject({ state: 'running', template: 'linux', labels: { owner: 'ann' } });
    expect(record.machines.map((m) => m.state)).toEqual(['running']);
    expect(Date.parse(record.deadline) - Date.parse(record.createdAt)).toBe(30 * 60_000);
    expect(record.userPublicKey).toBe(old!.record.userPublicKey);
    expect(record.machines[0].hostKey).toBe(old!.record.machines[0].hostKey);
    // Its identity was written once, with the member, when it was made; the hand-out wrote nothing.
    expect(driver.identities.filter((i) => i.id === record.id)).toEqual([
      { id: record.id, authorizedKey: record.userPublicKey, hostKeys: [record.machines[0].hostKey] },
    ]);
    expect(logs.some((l) => l.startsWith(`info ${record.id}: handed out from the warm pool in `) && l.includes('with the identity it was made with'))).toBe(
      true,
    );
    expect(manager.list().map((r) => r.id)).toEqual([record.id]);
    const stored = onDisk().find((p) => p.record.id === record.id)!;
    expect(stored.pool).toBeUndefined();
    expect(stored.userKey.publicKey).toBe(record.userPublicKey);
    expect(stored.hostKeys.dev.publicKey).toBe(record.machines[0].hostKey);
    // Reached over SSH with the new user key and host key (the fake serves the spec the manager holds).
    expect(manager.userKey(record.id).publicKey).toBe(record.userPublicKey);
    // Two hand-outs from the refilled pool: no key in common with each other, with the first, or with a member still waiting.
    await until('refilled', () => ready(pool) === 2);
    const next = [await manager.create({ template: 'linux' }), await manager.create({ template: 'linux' })];
    expect(new Set([record.id, ...next.map((pg) => pg.id)]).size).toBe(3);
    await until('refilled again', () => ready(pool) === 2);
    const waiting = onDisk()
      .filter((p) => p.pool === 'linux')
      .map((p) => p.record);
    const all = [record, ...next, ...waiting];
    expect(new Set(all.map((r) => r.userPublicKey)).size).toBe(all.length);
    expect(new Set(all.map((r) => r.machines[0].hostKey)).size).toBe(all.length);
  });

  it('keeps within the memory budget: a budget of one member keeps one', async () => {
    const { start } = agent({ linux: 3 }, GiB);
    const pool = await start();
    await until('one ready', () => ready(pool) === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.info()).toMatchObject({ heldBytes: GiB, templates: [{ wanted: 3, ready: 1, filling: 0 }] });
    expect(driver.calls.filter((c) => c.op === 'create')).toHaveLength(1);
  });

  it('answers a create it cannot honour (a manifest, init inputs, another template) the cold way', async () => {
    const { manager, start } = agent({ linux: 1 });
    const pool = await start();
    await until('one ready', () => ready(pool) === 1);
    const manifest = fs.readFileSync(path.join(builtinTemplatesDir(), 'linux.yaml'), 'utf8');
    const fromManifest = await manager.create({ manifest, manifestName: 'linux.yaml' });
    const withInputs = await manager.create({ template: 'linux', inputs: { anything: 'x' } }).catch((err: unknown) => err);
    const other = await manager.create({ template: 'linux-multi' });
    expect(fromManifest.state).toBe('provisioning');
    expect(other.state).toBe('provisioning');
    expect(withInputs).toBeInstanceOf(Error); // linux has no init conditions: the cold path says so
    expect(ready(pool)).toBe(1);
    // Only the member's identity written once more when it was made: nothing was handed out.
    const member = onDisk().find((p) => p.pool === 'linux')!.record;
    expect(driver.identities).toEqual([{ id: member.id, authorizedKey: member.userPublicKey, hostKeys: [member.machines[0].hostKey] }]);
  });

  it('never keeps a member whose identity cannot be written as root: it is destroyed and made again', async () => {
    driver.failNext('refreshIdentity', 'engine said no');
    const { start } = agent({ linux: 1 });
    const pool = await start();
    await until('made again and ready', () => ready(pool) === 1, 4500, pool);
    expect(
      logs.some((l) => /warm pool: a linux playground could not be made \(trying again in \d+ s\): writing its identity again as root: engine said no/.test(l)),
    ).toBe(true);
    expect(driver.calls.filter((c) => c.op === 'create')).toHaveLength(2);
    expect(driver.machines.size).toBe(1);
  });

  it('never hands out a member made from an older version of its template: the create is cold, the pool refills with the new one', async () => {
    const dir = path.join(root, '..', `${path.basename(root)}-templates`);
    fs.mkdirSync(dir);
    try {
      const file = path.join(dir, 'lab.yaml');
      const lab = (title: string) =>
        fs
          .readFileSync(path.join(builtinTemplatesDir(), 'linux.yaml'), 'utf8')
          .replace(/^name: linux$/m, 'name: lab')
          .replace(/^title: .*$/m, `title: ${title}`);
      fs.writeFileSync(file, lab('Lab one'));
      const catalog = new TemplateCatalog([{ dir, source: 'user' }]);
      const { manager, start } = agent({ lab: 1 }, 8 * GiB, { sandbox: driver }, catalog);
      const pool = await start();
      await until('one ready', () => ready(pool, 'lab') === 1);
      const old = onDisk().find((p) => p.pool === 'lab')!.record.id;
      fs.writeFileSync(file, lab('Lab two'));
      catalog.reload();
      const record = await manager.create({ template: 'lab' });
      expect(record.id).not.toBe(old);
      expect(record).toMatchObject({ state: 'provisioning', title: 'Lab two' });
      await until('old member destroyed', () => !driver.machines.has(old));
      expect(logs).toContain(`info ${old}: a warm lab playground was made from an older version of the template, so it is destroyed`);
      await until('refilled', () => ready(pool, 'lab') === 1);
      const next = await manager.create({ template: 'lab' });
      expect(next).toMatchObject({ state: 'running', title: 'Lab two' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands out a member after the catalog was read again without a change', async () => {
    const dir = path.join(root, '..', `${path.basename(root)}-templates`);
    fs.mkdirSync(dir);
    try {
      fs.copyFileSync(path.join(builtinTemplatesDir(), 'linux.yaml'), path.join(dir, 'linux.yaml'));
      const catalog = new TemplateCatalog([{ dir, source: 'user' }]);
      const { manager, start } = agent({ linux: 1 }, 8 * GiB, { sandbox: driver }, catalog);
      const pool = await start();
      await until('one ready', () => ready(pool) === 1);
      const member = onDisk().find((p) => p.pool === 'linux')!.record.id;
      catalog.reload();
      expect((await manager.create({ template: 'linux' })).id).toBe(member);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never hands out a member whose machine stopped behind its back: it is destroyed, the create works, the pool refills', async () => {
    const { manager, start } = agent({ linux: 2 });
    const pool = await start();
    await until('two ready', () => ready(pool) === 2);
    const members = onDisk()
      .filter((p) => p.pool === 'linux')
      .map((p) => p.record.id);
    for (const id of members) driver.machines.set(id, { dev: 'stopped' });
    const record = await manager.create({ template: 'linux' });
    expect(members).not.toContain(record.id);
    // Made cold, or handed out from a refill that was quicker: either way it runs.
    expect((await manager.settled(record.id)).state).toBe('running');
    for (const id of members) await until(`${id} destroyed`, () => !driver.machines.has(id));
    expect(logs.filter((l) => /a warm linux playground could not be handed out, so it is destroyed: machine dev does not answer/.test(l))).toHaveLength(2);
    await until('refilled', () => ready(pool) === 2);
  });

  it('pauses after a member cannot be made, says why, and tries again', async () => {
    driver.failNext('create', 'no image');
    const { start } = agent({ linux: 1 });
    const pool = await start();
    await until('retried and ready', () => ready(pool) === 1, 4500, pool);
    expect(logs.some((l) => /warm pool: a linux playground could not be made \(trying again in \d+ s\): no image/.test(l))).toBe(true);
    expect(pool.info().templates[0].lastError).toBeUndefined();
    expect(onDisk().filter((p) => p.pool === 'linux')).toHaveLength(1);
  });

  it('destroys every member when it closes', async () => {
    const { start } = agent({ linux: 2 });
    const pool = await start();
    await until('two ready', () => ready(pool) === 2);
    await pool.close();
    expect(driver.machines.size).toBe(0);
    expect(onDisk()).toEqual([]);
  });

  it('destroys a member that was being made when it closed, once it is made', async () => {
    const gate = driver.hold('create');
    const { start } = agent({ linux: 2 });
    const pool = await start();
    await gate.reached;
    const closing = pool.close();
    gate.release();
    await closing;
    expect(driver.calls.filter((c) => c.op === 'create')).toHaveLength(1);
    expect(driver.machines.size).toBe(0);
    expect(onDisk()).toEqual([]);
  });

  it('removes members a crashed agent left, at the next start', async () => {
    const first = agent({ linux: 2 });
    const pool = await first.start();
    await until('two ready', () => ready(pool) === 2);
    const left = onDisk().map((p) => p.record.id);
    // A crash: no close; a new agent on the same store and host.
    open.splice(0);
    await first.manager.close();
    const second = agent({});
    await second.start();
    expect(second.manager.list()).toEqual([]);
    expect(onDisk()).toEqual([]);
    for (const id of left) expect(driver.machines.has(id)).toBe(false);
    expect(logs.filter((l) => /removed a warm pool member \(linux\) the last agent left/.test(l))).toHaveLength(2);
  });

  it('refuses a --warm it cannot honour, one line per problem', async () => {
    // A driver without the method: the own property hides the fake's.
    const noRefresh: Driver = Object.assign(new FakeDriver(), { refreshIdentity: undefined });
    await expect(agent({ nosuch: 1 }).start()).rejects.toThrow(/--warm nosuch=1: unknown template "nosuch" \(available: .*linux/);
    await expect(agent({ linux: 1 }, GiB, { sandbox: noRefresh }).start()).rejects.toThrow(
      /--warm linux=1: linux playgrounds run on the sandbox driver, which cannot write a running machine's identity/,
    );
    await expect(agent({ docker: 1 }).start()).rejects.toThrow(
      /--warm docker=1: docker playgrounds run on the docker driver, which this agent was not started with/,
    );
  });
});

describe('warm pool set-up', () => {
  it('refuses a template whose machines boot an oci:// image (their sshd may keep the old host key)', () => {
    const dir = path.join(root, 'templates');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'ocilab.yaml'),
      'kind: playground\nname: ocilab\nplayground:\n  machines:\n    - name: box\n      drives:\n        - source: oci://registry.example/box:1\n          mount: /\n',
    );
    const catalog = new TemplateCatalog([{ dir, source: 'user' }]);
    expect(catalog.problems).toEqual([]);
    const manager = agent({}).manager;
    expect(() =>
      startWarmPool({ warm: { ocilab: 1 }, catalog, drivers: { sandbox: driver }, defaultDriver: 'sandbox', manager, log: () => undefined }),
    ).toThrow("--warm ocilab=1: machine box boots an oci:// image; warm pools take templates on Sandlot's own images only");
  });
});

describe('warm options', () => {
  it('reads template=count lists and sizes, and names what is wrong', () => {
    expect(parseWarmCounts('docker=1, linux=2')).toEqual({ docker: 1, linux: 2 });
    expect(parseWarmCounts('')).toEqual({});
    expect(() => parseWarmCounts('docker')).toThrow('--warm: expected template=count (e.g. docker=1), got "docker"');
    expect(() => parseWarmCounts('docker=-1')).toThrow(/expected template=count/);
    expect(() => parseWarmCounts('docker=99')).toThrow('--warm: docker=99: at most 16 warm playgrounds per template');
    expect(parseWarmMemory('2GiB')).toBe(2 * GiB);
    expect(() => parseWarmMemory('lots')).toThrow(/^--warm-memory: expected a size like/);
  });
});
