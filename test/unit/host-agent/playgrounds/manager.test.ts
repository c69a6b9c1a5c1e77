// The playground manager on the in-memory fake driver and a real store in a temp dir:
// the lifecycle queue, transitional states that are shown but never written, the expiry
// sweep, re-adoption after a restart, failures mid-create, and a store that cannot write.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiProblem, type PlaygroundEvent, type PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { builtinTemplatesDir, TemplateCatalog } from '../../../../host-agent/playgrounds/catalog';
import { PlaygroundEvents } from '../../../../host-agent/playgrounds/events';
import { PlaygroundManager, type ManagerOptions } from '../../../../host-agent/playgrounds/manager';
import { PlaygroundStore, StateWriteError } from '../../../../host-agent/playgrounds/store';
import { FakeDriver } from '../../../helpers/fake-driver';

/** A store on a real directory whose record writes can be made to fail as on a full disk. */
class FillableStore extends PlaygroundStore {
  full = false;
  override create(...args: Parameters<PlaygroundStore['create']>): void {
    if (this.full) throw new StateWriteError(args[0].record.id, Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    super.create(...args);
  }
  override async saveRecord(record: PlaygroundRecord): Promise<void> {
    if (this.full) throw new StateWriteError(record.id, Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await super.saveRecord(record);
  }
}

let root: string;
let store: FillableStore;
let driver: FakeDriver;
let events: PlaygroundEvents;
let logs: string[];
const managers: PlaygroundManager[] = [];

function manager(extra: Partial<ManagerOptions> = {}): PlaygroundManager {
  const m = new PlaygroundManager({
    store,
    catalog: new TemplateCatalog([{ dir: builtinTemplatesDir(), source: 'builtin' }]),
    drivers: { sandbox: driver },
    defaultDriver: 'sandbox',
    events,
    log: (level, message) => logs.push(`${level} ${message}`),
    host: { memBytes: 8 * 1024 ** 3, cpus: 4 },
    ...extra,
  });
  managers.push(m);
  return m;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-manager-'));
  store = new FillableStore(root);
  driver = new FakeDriver();
  events = new PlaygroundEvents();
  logs = [];
});

afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The record as the store reads it back from disk. */
function onDisk(id: string): PlaygroundRecord {
  const found = new PlaygroundStore(root).loadAll().loaded.find((p) => p.record.id === id);
  if (!found) throw new Error(`${id} is not on disk`);
  return found.record;
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function running(m: PlaygroundManager, template = 'linux'): Promise<PlaygroundRecord> {
  const r = await m.create({ template });
  await until(`${r.id} running`, () => m.get(r.id).state === 'running');
  return r;
}

async function problem(p: Promise<unknown>): Promise<ApiProblem> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiProblem)) throw new Error(`expected an ApiProblem, got ${String(err)}`);
  return err;
}

describe('lifecycle', () => {
  it('creates, stops, starts and restarts, writing every settled state', async () => {
    const m = manager();
    await m.init();
    const r = await running(m);
    expect(onDisk(r.id).state).toBe('running');
    expect((await m.stop(r.id)).state).toBe('stopped');
    expect(onDisk(r.id)).toMatchObject({ state: 'stopped', machines: [{ name: 'dev', state: 'stopped' }] });
    expect((await m.start(r.id)).state).toBe('running');
    expect((await m.restart(r.id)).state).toBe('running');
    expect(driver.calls.filter((c) => c.id === r.id).map((c) => c.op)).toEqual(['create', 'stop', 'start', 'stop', 'start']);
  });

  it('runs the operations of one playground one at a time, in order', async () => {
    const m = manager();
    await m.init();
    const r = await running(m);
    const held = driver.hold('stop');
    const stopping = m.stop(r.id);
    const starting = m.start(r.id);
    await held.reached;
    expect(driver.calls.at(-1)).toEqual({ op: 'stop', id: r.id });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(driver.calls.filter((c) => c.op === 'start')).toEqual([]);
    held.release();
    expect((await stopping).state).toBe('stopped');
    expect((await starting).state).toBe('running');
  });

  it('shows a transitional state while an operation runs but never writes it', async () => {
    const m = manager();
    await m.init();
    const r = await running(m);
    const held = driver.hold('stop');
    const stopping = m.stop(r.id);
    await held.reached;
    expect(m.get(r.id).state).toBe('stopping');
    expect(onDisk(r.id).state).toBe('running');
    held.release();
    await stopping;
    expect(onDisk(r.id).state).toBe('stopped');
  });

  it('refuses to start an expired playground until it is extended', async () => {
    const m = manager({ sweepMs: 60_000 });
    await m.init();
    const r = await m.create({ template: 'linux', lifetimeMinutes: 0.001 });
    await until('running', () => m.get(r.id).state === 'running');
    await m.stop(r.id);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await problem(m.start(r.id))).code).toBe('expired');
    await m.extend(r.id, 5);
    expect((await m.start(r.id)).state).toBe('running');
  });

  it('stops, then destroys a playground whose lifetime ended (the sweep)', async () => {
    const m = manager({ sweepMs: 20 });
    await m.init();
    // Long enough to be running first (fsync on a loaded host is slow), short enough for a test.
    const r = await m.create({ template: 'linux', lifetimeMinutes: 0.01 });
    const seen: PlaygroundEvent[] = [];
    events.subscribe(r.id, (e) => seen.push(e));
    await until('running', () => m.list()[0]?.state === 'running');
    await until('destroyed', () => m.list().length === 0, 5000);
    expect(driver.calls.filter((c) => c.id === r.id).map((c) => c.op)).toEqual(['create', 'stop', 'destroy']);
    expect(fs.existsSync(path.join(root, r.id))).toBe(false);
    expect(seen.some((e) => e.type === 'log' && /lifetime ended/.test(e.message))).toBe(true);
    expect(logs).toContain(`info ${r.id}: expired and destroyed`);
  });
});

describe('after an agent restart', () => {
  it('re-adopts running machines and keeps stopped playgrounds stopped', async () => {
    const first = manager();
    await first.init();
    const a = await running(first);
    const b = await running(first, 'linux-multi');
    await first.stop(b.id);
    await first.close();

    const second = manager();
    await second.init();
    expect(second.list().map((p) => [p.id, p.state])).toEqual([
      [a.id, 'running'],
      [b.id, 'stopped'],
    ]);
    expect(driver.calls.filter((c) => c.op === 'adopt').map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(logs.filter((l) => /^(warn|error)/.test(l))).toEqual([]);
  });

  it("destroys a one-shot run's playground (its run ended with the last agent); releasing one writes nothing first", async () => {
    const first = manager();
    await first.init();
    const run = await first.createForRun({ template: 'linux' });
    const kept = await running(first);
    await until(`${run.id} running`, () => first.get(run.id).state === 'running');
    const released = await first.createForRun({ template: 'linux' });
    await until(`${released.id} running`, () => first.get(released.id).state === 'running');
    // Released although no record can be written: its run mark already says what becomes of it.
    store.full = true;
    await first.releaseForDestroy(released.id);
    store.full = false;
    expect(first.list().map((p) => p.id)).not.toContain(released.id);
    await until(`${released.id} destroyed`, () => !fs.existsSync(path.join(root, released.id)));
    await first.close();

    const second = manager();
    await second.init();
    await until(`${run.id} destroyed`, () => !fs.existsSync(path.join(root, run.id)));
    expect(second.list().map((p) => [p.id, p.state])).toEqual([[kept.id, 'running']]);
    expect(driver.calls.filter((c) => c.id === run.id).map((c) => c.op)).toEqual(['create', 'destroy']);
    expect(logs.filter((l) => /^(warn|error)/.test(l))).toEqual([]);
  });

  it('starts again the machines that died while it was down', async () => {
    const first = manager();
    await first.init();
    const a = await running(first);
    await first.close();
    driver.machines.delete(a.id); // the host rebooted
    const second = manager();
    await second.init();
    await until('running again', () => second.get(a.id).state === 'running');
    expect(driver.calls.filter((c) => c.id === a.id).map((c) => c.op)).toEqual(['create', 'adopt', 'start']);
  });

  it('cleans what an interrupted create or destroy left, sets an unreadable playground aside once', async () => {
    fs.mkdirSync(path.join(root, '.creating-pg-half1'), { recursive: true });
    fs.mkdirSync(path.join(root, 'pg-gone1.destroyed', 'driver'), { recursive: true });
    fs.mkdirSync(path.join(root, 'pg-broken1'));
    fs.writeFileSync(path.join(root, 'pg-broken1', 'record.json'), '{ not json');
    const m = manager();
    await m.init();
    expect(m.list()).toEqual([]);
    expect(fs.readdirSync(root).sort()).toEqual(['pg-broken1.broken']);
    expect(logs.filter((l) => l.startsWith('warn'))).toHaveLength(3);
    expect(logs.join('\n')).toMatch(/pg-broken1: unreadable \(.*\); moved to .*pg-broken1\.broken/);
    logs.length = 0;
    await manager().init();
    expect(logs).toEqual([]);
  });
});

describe('failures', () => {
  it("records a create the driver failed as failed, with the driver's message", async () => {
    const m = manager();
    await m.init();
    driver.failNext('create', 'no such image: linux');
    const r = await m.create({ template: 'linux' });
    await until('failed', () => m.get(r.id).state === 'failed');
    expect(m.get(r.id).error).toBe('no such image: linux');
    expect(onDisk(r.id)).toMatchObject({ state: 'failed', error: 'no such image: linux', machines: [{ state: 'failed' }] });
    // It can be destroyed like any other.
    await m.destroy(r.id);
    expect(m.list()).toEqual([]);
  });

  it('refuses a manifest above the host or with a NUL in a path, on every driver, before any driver runs', async () => {
    const m = manager();
    await m.init();
    const big = await problem(
      m.create({ manifest: 'kind: playground\nname: x\nplayground:\n  machines: [{name: a, resources: {ramSize: 100Gi}}]\n', manifestName: 'big.yaml' }),
    );
    expect(big.code).toBe('invalid_manifest');
    expect(big.message).toBe("big.yaml: playground.machines[0].resources.ramSize: 100Gi is more than this host's memory (8.0 GiB) (sandbox driver)");
    const cpus = await problem(m.create({ manifest: 'kind: playground\nname: x\nplayground:\n  machines: [{name: a, resources: {cpuCount: 8}}]\n' }));
    expect(cpus.message).toBe("manifest: playground.machines[0].resources.cpuCount: 8 is more than this host's 4 CPUs (sandbox driver)");
    const nul = await problem(
      m.create({ manifest: 'kind: playground\nname: x\nplayground:\n  machines: [{name: a, startupFiles: [{path: "/a\\0b", content: x}]}]\n' }),
    );
    expect(nul.message).toBe('manifest: playground.machines[0].startupFiles[0].path: expected a path without NUL bytes, got "/a\\u0000b"');
    expect(driver.calls).toEqual([]);
  });
});

describe('a store that cannot write (full disk)', () => {
  it('does not apply an extend it could not record', async () => {
    const m = manager();
    await m.init();
    const r = await running(m);
    const before = m.get(r.id).deadline;
    store.full = true;
    const p = await problem(m.extend(r.id, 30));
    expect(p).toMatchObject({ code: 'state_not_saved', status: 507 });
    expect(p.message).toMatch(/^cannot write the state of pg-\w+ \(ENOSPC: no space left on device\); the lifetime was not extended$/);
    expect(m.get(r.id).deadline).toBe(before);
    expect(onDisk(r.id).deadline).toBe(before);
  });

  it('makes nothing when the new playground cannot be written', async () => {
    const m = manager();
    await m.init();
    store.full = true;
    expect((await problem(m.create({ template: 'linux' }))).message).toMatch(/; nothing was made$/);
    expect(fs.readdirSync(root)).toEqual([]);
    expect(m.list()).toEqual([]);
    expect(driver.calls).toEqual([]);
  });

  it('undoes a start whose outcome cannot be written: machines stopped again, the record as on disk', async () => {
    const m = manager();
    await m.init();
    const r = await running(m);
    await m.stop(r.id);
    store.full = true;
    const p = await problem(m.start(r.id));
    expect(p.message).toMatch(/; it was not started; its machines were stopped again$/);
    expect(
      driver.calls
        .filter((c) => c.id === r.id)
        .map((c) => c.op)
        .slice(-2),
    ).toEqual(['start', 'stop']);
    expect(m.get(r.id)).toMatchObject({ state: 'stopped', machines: [{ state: 'stopped' }] });
    expect(onDisk(r.id).state).toBe('stopped');
  });

  it('undoes a stop whose outcome cannot be written: machines started again', async () => {
    const m = manager();
    await m.init();
    const r = await running(m);
    store.full = true;
    const p = await problem(m.stop(r.id));
    expect(p.message).toMatch(/; it was not stopped; its machines were started again$/);
    expect(m.get(r.id)).toMatchObject({ state: 'running', machines: [{ state: 'running' }] });
    expect(driver.machines.get(r.id)).toEqual({ dev: 'running' });
  });

  it('never leaves a state at a transitional one, also when the failure cannot be recorded', async () => {
    const m = manager();
    await m.init();
    const r = await running(m);
    await m.stop(r.id);
    store.full = true;
    driver.failNext('start', 'out of memory');
    const p = await problem(m.start(r.id));
    expect(p.message).toMatch(/it failed \(start: out of memory\) and that could not be recorded either$/);
    expect(m.get(r.id).state).toBe('stopped');
    expect(onDisk(r.id).state).toBe('stopped');
  });

  it('removes a half-made playground whose creation cannot be recorded, and says so on its event stream', async () => {
    const m = manager();
    await m.init();
    const held = driver.hold('create');
    const r = await m.create({ template: 'linux' });
    const seen: PlaygroundEvent[] = [];
    events.subscribe(r.id, (e) => seen.push(e));
    await held.reached;
    store.full = true;
    held.release();
    await until('removed', () => m.list().length === 0);
    expect(fs.existsSync(path.join(root, r.id))).toBe(false);
    expect(driver.machines.has(r.id)).toBe(false);
    expect(seen.find((e) => e.type === 'playground' && e.state === 'failed')).toMatchObject({
      message: expect.stringMatching(
        /could not record it as running \(cannot write the state of .* \(ENOSPC: .*\)\); the half-made playground was removed$/,
      ) as unknown,
    });
    expect((await problem(Promise.resolve().then(() => m.get(r.id)))).code).toBe('playground_not_found');
  });
});
