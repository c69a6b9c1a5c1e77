// The API client against the real agent server (router, handlers, manager, content
// service) on a random port, with the in-memory fake driver underneath. Every route of
// the table is called through a client method; errors arrive as codes.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'ssh2';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentApiError, AgentClient, AgentUnreachableError, isApiError } from '../../../../host-agent/api/client';
import type { RunHandlers } from '../../../../host-agent/api/run-client';
import { RunWireReader, wireMessage } from '../../../../host-agent/api/run-wire';
import { ROUTE_NAMES, type RunRequest, type PlaygroundEvent, type PlaygroundRecord, type RouteName } from '../../../../host-agent/api/protocol';
import { builtinTemplatesDir, TemplateCatalog } from '../../../../host-agent/playgrounds/catalog';
import { PlaygroundEvents } from '../../../../host-agent/playgrounds/events';
import { PlaygroundManager } from '../../../../host-agent/playgrounds/manager';
import { PlaygroundStore } from '../../../../host-agent/playgrounds/store';
import { playgroundHandlers } from '../../../../host-agent/server/playground-routes';
import { snapshotHandlers } from '../../../../host-agent/server/snapshot-routes';
import { SnapshotService } from '../../../../host-agent/snapshots/service';
import { SnapshotStore } from '../../../../host-agent/snapshots/store';
import { AgentServer } from '../../../../host-agent/server/server';
import { ContentService } from '../../../../host-agent/tasks/service';
import { FakeDriver } from '../../../helpers/fake-driver';

const TOKEN = 'test-token-0123456789';
let root: string;
let server: AgentServer;
let manager: PlaygroundManager;
let content: ContentService;
let api: AgentClient;
let agentUrl: string;
const routesSeen = new Set<RouteName>();
const logs: string[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-client-'));
  const userTemplates = path.join(root, 'templates');
  const catalog = new TemplateCatalog([
    { dir: builtinTemplatesDir(), source: 'builtin' },
    { dir: userTemplates, source: 'user' },
  ]);
  const events = new PlaygroundEvents();
  const log = (level: string, message: string) => logs.push(`${level} ${message}`);
  const driver = new FakeDriver();
  manager = new PlaygroundManager({
    store: new PlaygroundStore(path.join(root, 'playgrounds')),
    catalog,
    drivers: { sandbox: driver },
    defaultDriver: 'sandbox',
    events,
    log,
  });
  const snapshots = new SnapshotService({
    store: new SnapshotStore(path.join(root, 'snapshots')),
    manager,
    catalog,
    drivers: { sandbox: driver },
    userTemplates,
    log,
  });
  await manager.init();
  content = new ContentService({ manager, catalog, log, intervalMs: 50 });
  server = new AgentServer({
    token: TOKEN,
    info: () => ({ version: 'test', driver: 'sandbox', drivers: ['sandbox'], pid: process.pid, isolation: driver.describeIsolation(), state: 'ready' }),
    log,
    onRoute: (name) => routesSeen.add(name),
  });
  server.serve({
    ...playgroundHandlers(manager, catalog, events, (body) => snapshots.createPlayground(body)),
    ...snapshotHandlers(snapshots),
    ...content.handlers(),
  });
  agentUrl = await server.listen('127.0.0.1:0');
  api = new AgentClient({ url: agentUrl, token: TOKEN });
});

afterAll(async () => {
  await content?.dispose();
  await server?.close();
  await manager?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function apiError(p: Promise<unknown>): Promise<AgentApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AgentApiError)) throw new Error(`expected an AgentApiError, got ${String(err)}`);
  return err;
}

const runningPlayground = async (template = 'linux'): Promise<PlaygroundRecord> => {
  const created = await api.create({ template });
  return until('running', async () => {
    const r = await api.get(created.id);
    return r.state === 'running' ? r : undefined;
  });
};

describe('the agent, the catalog and the playground lifecycle', () => {
  it('answers info, templates and the list', async () => {
    expect(await api.info()).toMatchObject({ version: 'test', state: 'ready', pid: process.pid });
    expect((await api.templates()).map((t) => t.name)).toEqual(expect.arrayContaining(['linux', 'linux-multi']));
    expect(await api.list()).toEqual([]);
  });

  it('creates, stops, starts, restarts, extends and destroys', async () => {
    const r = await runningPlayground();
    expect(r.machines.map((m) => [m.name, m.state, m.address])).toEqual([['dev', 'running', '10.0.0.2']]);
    expect((await api.stop(r.id)).state).toBe('stopped');
    expect((await api.start(r.id)).state).toBe('running');
    expect((await api.restart(r.id)).state).toBe('running');
    const extended = await api.extend(r.id, 60);
    expect(Date.parse(extended.deadline)).toBeGreaterThan(Date.parse(r.deadline));
    expect(await api.memory(r.id)).toEqual({ dev: 1024 * 1024 });
    const view = await api.manifest(r.id);
    expect(view.text).toMatch(/^# Effective manifest of [\s\S]*\nbase: flexbox\n/);
    expect(view.tabs).toEqual([{ id: 'terminal-dev', kind: 'terminal', name: 'dev', machine: 'dev' }]);
    const key = await api.sshKey(r.id);
    expect(key.publicKey).toBe(r.userPublicKey);
    expect(key.knownHosts).toHaveLength(1);
    expect(key.knownHosts[0].startsWith(`sandlot--${r.id}--dev ${r.machines[0].hostKey.split(' ').slice(0, 2).join(' ')}`)).toBe(true);
    expect(await api.destroy(r.id)).toEqual({ id: r.id, state: 'destroyed' });
    expect((await apiError(api.get(r.id))).code).toBe('playground_not_found');
  });

  it('keeps the labels a client gives on the record, for playgrounds and content alike', async () => {
    const labels = { 'mcp.session': 'abc123', 'mcp.client': 'test-client/1.0' };
    const r = await api.create({ template: 'linux', labels });
    expect(r.labels).toEqual(labels);
    expect((await api.list()).find((p) => p.id === r.id)?.labels).toEqual(labels);
    const bad = await apiError(api.create({ template: 'linux', labels: { 'Not A Key': 'x' } }));
    expect(bad.message).toMatch(/^labels\.Not A Key: expected a label key/);
    const withContent = await api.startContent({ source: 'linux-basics', labels });
    expect(withContent.labels).toEqual(labels);
    await api.destroy(withContent.id);
    await api.destroy(r.id);
    const plain = await api.create({ template: 'linux' });
    expect(plain.labels).toBeUndefined();
    await api.destroy(plain.id);
  });

  it("writes a client's line to the agent log with the client's name, one line only", async () => {
    expect(await api.log({ client: 'mcp test-client/1.0', message: 'tool run_command pg-x/dev: exit 0' })).toEqual({ logged: true });
    expect(logs).toContain('info [mcp test-client/1.0] tool run_command pg-x/dev: exit 0');
    await api.log({ client: 'mcp test-client/1.0', level: 'warn', message: 'refused' });
    expect(logs).toContain('warn [mcp test-client/1.0] refused');
    const forged = await apiError(api.log({ client: 'x', message: 'one\n2026-01-01T00:00:00Z error forged' }));
    expect(forged.message).toMatch(/^message: expected one line without control characters/);
  });

  it('streams events from a snapshot on, and can stop following from inside the first event', async () => {
    const r = await runningPlayground();
    const seen: PlaygroundEvent[] = [];
    let closedWith: number | undefined;
    const closed = new Promise<void>((resolve) => {
      const sub = api.follow(
        r.id,
        (e) => {
          seen.push(e);
          sub.close(); // the CLI's case: `running` already in the snapshot
        },
        (code) => {
          closedWith = code;
          resolve();
        },
      );
    });
    await closed;
    expect(seen.map((e) => e.type)).toEqual(['snapshot']);
    expect(closedWith).toBe(1005);
    const stop = await api.events(r.id, () => undefined);
    stop();
    await api.destroy(r.id);
  });

  it('runs a command and streams its output (base64 bytes) and exit code', async () => {
    const r = await runningPlayground('linux');
    let out = '';
    let err = '';
    const exit = await api.exec(r.id, 'dev', { command: 'echo hi; fail', user: 'laborant' }, (c) => {
      if (c.type === 'stdout') out += Buffer.from(c.data, 'base64').toString();
      if (c.type === 'stderr') err += Buffer.from(c.data, 'base64').toString();
    });
    expect(exit.code).toBe(3);
    expect(out).toBe('ran: echo hi; fail\n');
    expect(err).toBe('as laborant\n');
    await api.destroy(r.id);
  });

  for (const transport of ['tcpRun', 'run'] as const) {
    it(`runs a command in a fresh playground in one request and destroys it (${transport})`, async () => {
      const run = (req: RunRequest, on: RunHandlers) => (transport === 'tcpRun' ? api.run(req, on) : api.runOverWebSocket(req, on));
      const quiet = { stdout: () => undefined, stderr: () => undefined };
      const out: string[] = [];
      const err: string[] = [];
      const events: string[] = [];
      const started = await run(
        { playground: { template: 'linux' }, command: 'echo hi; fail' },
        { stdout: (b) => out.push(b.toString()), stderr: (b) => err.push(b.toString()), event: (e) => events.push(e.type) },
      );
      const exit = await started.done;
      expect(exit).toMatchObject({ type: 'exit', code: 3, kept: false });
      expect(out.join('')).toBe('ran: echo hi; fail\n');
      expect(err.join('')).toBe('as root\n');
      expect(events).toEqual(['created', 'running']);
      expect((await api.list()).map((p) => p.id)).not.toContain(exit.playground.id);
      const kept = await (await run({ playground: { template: 'linux' }, command: 'true', keep: true }, quiet)).done;
      expect(kept).toMatchObject({ code: 0, kept: true });
      expect((await api.get(kept.playground.id)).state).toBe('running');
      await api.destroy(kept.playground.id);
      const refused = await apiError((await run({ playground: { template: 'nope' }, command: 'true' }, quiet)).done);
      expect(refused.code).toBe('template_not_found');
      const wrong = await apiError((await run({ playground: { template: 'linux' }, machine: 'x', command: 'true' }, quiet)).done);
      expect(wrong.code).toBe('machine_not_found');
      expect(await api.list()).toEqual([]);
      expect((await apiError(new AgentClient({ url: agentUrl, token: 'wrong' }).run({ playground: { template: 'linux' }, command: 'true' }, quiet))).code).toBe(
        'unauthorized',
      );
    });
  }

  it('answers a malformed run request on the raw route with one error message, and bytes that are not the protocol by closing', async () => {
    const { port } = new URL(agentUrl);
    /** What the agent sends back for `send` (written after the upgrade), until it closes. */
    const answer = (send: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const sock = net.connect(Number(port), '127.0.0.1', () =>
          sock.write(`GET /v1/run/tcp HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\nconnection: Upgrade\r\nupgrade: tcp\r\n\r\n`),
        );
        let got = Buffer.alloc(0);
        let upgraded = false;
        sock.on('data', (d: Buffer) => {
          got = Buffer.concat([got, d]);
          const end = got.indexOf('\r\n\r\n');
          if (!upgraded && end >= 0) {
            upgraded = true;
            expect(got.subarray(0, end).toString()).toMatch(/^HTTP\/1\.1 101 /);
            got = got.subarray(end + 4);
            sock.write(send);
          }
        });
        sock.on('close', () =>
          resolve(
            new RunWireReader()
              .push(got)
              .map((m) => (m.text ? m.bytes.toString() : `data ${m.bytes.length}`))
              .join('\n'),
          ),
        );
        sock.on('error', reject);
      });
    expect(JSON.parse(await answer(wireMessage(true, Buffer.from('not json'))))).toEqual({
      type: 'error',
      code: 'invalid_json',
      message: 'run request: expected a JSON object',
    });
    expect(await answer(wireMessage(true, Buffer.from(JSON.stringify({ playground: { template: 'linux' } }))))).toMatch(/"code":"invalid_request".*command: /);
    // Not the run protocol at all: the agent closes without making anything.
    expect(await answer(Buffer.from('hello, agent\n'))).toBe('');
    expect(await api.list()).toEqual([]);
  });

  it('answers a malformed run request with one error frame naming what is wrong, and makes nothing', async () => {
    const url = agentUrl.replace(/^http/, 'ws');
    const answer = (first: string | Buffer) =>
      new Promise<unknown>((resolve, reject) => {
        const ws = new WebSocket(`${url}/v1/run`, { headers: { authorization: `Bearer ${TOKEN}` } });
        ws.once('open', () => ws.send(first, { binary: Buffer.isBuffer(first) }));
        ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString())));
        ws.once('error', reject);
      });
    /** `code message` of the agent's one frame. */
    const line = async (first: string | Buffer) => {
      const e = await answer(first);
      return e && typeof e === 'object' && 'type' in e && e.type === 'error' && 'code' in e && 'message' in e
        ? `${String(e.code)} ${String(e.message)}`
        : 'no error frame';
    };
    expect(await line('not json')).toBe('invalid_json run request: expected a JSON object');
    expect(await line(Buffer.from([0, 1, 2]))).toMatch(/^invalid_request run: the first frame must be the run request/);
    expect(await line(JSON.stringify({ playground: { template: 'linux' } }))).toMatch(/^invalid_request command: /);
    expect(await line(JSON.stringify({ playground: { template: 'linux' }, command: 'true', tty: { cols: 0, rows: 1, term: 'x' } }))).toMatch(
      /^invalid_request tty\.cols: /,
    );
    expect(await line(JSON.stringify({ playground: {}, command: 'true' }))).toMatch(/^invalid_request playground\.template: /);
    expect(await api.list()).toEqual([]);
  });

  it('tunnels bytes to a machine port and speaks SSH on port 22 with the playground key', async () => {
    const r = await runningPlayground();
    const echo = await api.tunnel(r.id, 'dev', 7);
    const back = new Promise<string>((resolve) => echo.once('data', (d: Buffer) => resolve(d.toString())));
    echo.write('ping');
    expect(await back).toBe('ping');
    echo.destroy();
    const key = await api.sshKey(r.id);
    const ssh = new Client();
    await new Promise<void>((resolve, reject) => {
      ssh.once('ready', resolve).once('error', reject);
      void api.tunnel(r.id, 'dev', 22).then((sock) => ssh.connect({ sock, username: 'root', privateKey: key.privateKey, hostVerifier: () => true }), reject);
    });
    ssh.end();
    expect((await apiError(api.tunnel(r.id, 'dev', 9))).code).toBe('connect_failed');
    expect((await apiError(api.tunnel(r.id, 'nope', 22))).code).toBe('machine_not_found');
    await api.destroy(r.id);
  });

  it('tunnels the same bytes over a plain `Upgrade: tcp` connection, and refuses with the same codes', async () => {
    const r = await runningPlayground();
    const echo = await api.tcpTunnel(r.id, 'dev', 7);
    const back = new Promise<string>((resolve) => {
      let got = '';
      echo.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length >= 6) resolve(got);
      });
    });
    // Written before anything came back: nothing is lost around the upgrade.
    echo.write('ping');
    echo.write('!!');
    expect(await back).toBe('ping!!');
    // A client that stops sending ends the tunnel (ssh-proxy exits when OpenSSH closes its stdin).
    const ended = new Promise<void>((resolve) => echo.once('end', resolve));
    echo.end();
    await ended;
    const key = await api.sshKey(r.id);
    const ssh = new Client();
    await new Promise<void>((resolve, reject) => {
      ssh.once('ready', resolve).once('error', reject);
      void api.tcpTunnel(r.id, 'dev', 22).then((sock) => ssh.connect({ sock, username: 'root', privateKey: key.privateKey, hostVerifier: () => true }), reject);
    });
    ssh.end();
    expect((await apiError(api.tcpTunnel(r.id, 'dev', 9))).code).toBe('connect_failed');
    expect((await apiError(api.tcpTunnel(r.id, 'nope', 22))).code).toBe('machine_not_found');
    expect((await apiError(api.tcpTunnel('pg-nope', 'dev', 22))).code).toBe('playground_not_found');
    expect((await apiError(new AgentClient({ url: agentUrl, token: 'wrong' }).tcpTunnel(r.id, 'dev', 22))).code).toBe('unauthorized');
    await api.destroy(r.id);
  });
});

describe('snapshots, forks and saved templates', () => {
  it('snapshots a playground, lists it, forks it and the playground, saves templates and removes them', { timeout: 30_000 }, async () => {
    const r = await runningPlayground();
    const snap = await api.snapshot(r.id, { name: 'first' });
    expect(snap).toMatchObject({ name: 'first', playground: r.id, state: 'ready', purpose: 'user', machines: [{ name: 'dev' }] });
    expect((await api.snapshots(r.id)).map((s) => s.id)).toEqual([snap.id]);
    expect(await api.snapshots('pg-other')).toEqual([]);
    expect((await api.getSnapshot('first')).id).toBe(snap.id);
    const fork = await api.fork({ snapshot: 'first' }, { title: 'my fork' });
    expect(fork).toMatchObject({ forkOf: snap.id, title: 'my fork', template: 'linux' });
    expect(fork.machines[0].hostKey).not.toBe(r.machines[0].hostKey);
    const direct = await api.fork({ playground: r.id });
    expect(direct.forkOf).toMatch(/^sn-/);
    const saved = await api.saveTemplate({ snapshot: snap.id }, { name: 'my-lab', title: 'My lab' });
    expect(saved).toMatchObject({ name: 'my-lab', title: 'My lab', source: 'user', snapshot: snap.id });
    const fromRun = await api.saveTemplate({ playground: r.id }, { name: 'my-run' });
    expect((await api.templates()).map((t) => t.name)).toEqual(expect.arrayContaining(['my-lab', 'my-run']));
    const started = await api.create({ template: 'my-lab' });
    expect(started).toMatchObject({ template: 'my-lab', forkOf: snap.id });
    expect((await apiError(api.deleteSnapshot(snap.id))).code).toBe('snapshot_in_use');
    expect((await apiError(api.removeTemplate('linux'))).code).toBe('template_not_removable');
    expect(await api.removeTemplate('my-run')).toEqual({ name: 'my-run', removed: true });
    expect((await api.snapshots()).map((s) => s.id)).not.toContain(fromRun.snapshot);
    for (const id of [fork.id, direct.id, started.id, r.id]) {
      await until(`${id} settled`, async () => ((await api.get(id)).state === 'provisioning' ? undefined : true));
      await api.destroy(id);
    }
    await api.removeTemplate('my-lab');
    expect(await api.deleteSnapshot('first')).toEqual({ id: snap.id, state: 'deleted' });
    expect((await apiError(api.getSnapshot(snap.id))).code).toBe('snapshot_not_found');
    await until('the fork snapshot collected', async () => ((await api.snapshots()).length === 0 ? true : undefined));
  });
});

describe('content and tasks', () => {
  it('starts content, shows its document and tasks, takes input, stops and restarts it', { timeout: 20_000 }, async () => {
    const dir = path.join(root, 'tiny-challenge');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'index.md'),
      [
        '---',
        'kind: challenge',
        'title: Tiny',
        'description: A tiny challenge.',
        'playground:',
        '  name: linux',
        'tasks:',
        '  verify_answer:',
        '    machine: dev',
        '    run: test "x(.input)" = 42',
        '---',
        '',
        '::user-input-task',
        '---',
        'name: verify_answer',
        '---',
        'What is the answer?',
        '::',
        '',
      ].join('\n'),
    );
    expect((await api.builtinContent()).map((c) => c.name)).toEqual(expect.arrayContaining(['linux-basics']));
    const r = await api.startContent({ source: dir });
    expect(r.content).toMatchObject({ name: 'tiny-challenge', state: 'initializing' });
    expect((await api.content(r.id)).title).toBe('Tiny');
    await until('a task record', async () => (Object.keys(await api.tasks(r.id)).length > 0 ? true : undefined));
    const task = await until('the input task to wait', async () => {
      const t = (await api.tasks(r.id)).verify_answer;
      return t ? t : undefined;
    });
    expect(task.input).toBe(true);
    await api.submitTaskInput(r.id, 'verify_answer', '42').catch((e: unknown) => expect(isApiError(e, 'task_input_refused')).toBe(true));
    expect((await apiError(api.submitTaskInput(r.id, 'no_such_task', 'x'))).code).toBe('task_input_refused');
    // Something changed in a machine: the pending checks (none here: the input task waits for answers) run now.
    expect(await api.machineChanged(r.id, 'dev', { reason: 'terminal' })).toEqual({ checking: [] });
    expect((await apiError(api.machineChanged(r.id, 'nope'))).code).toBe('machine_not_found');
    expect((await apiError(api.machineChanged(r.id, 'dev', { reason: 'Not a word!' }))).message).toMatch(/^reason: expected a short word/);
    // The fake machine passes every check, so the challenge may already be completed.
    expect(['stopped', 'completed']).toContain((await api.contentAction(r.id, 'stop')).content?.state);
    expect((await api.contentAction(r.id, 'restart')).content?.state).toBe('initializing');
    // A reload reads the folder again and swaps the new version in; a broken one is refused and the running one stays.
    fs.writeFileSync(path.join(dir, 'index.md'), fs.readFileSync(path.join(dir, 'index.md'), 'utf8').replace('title: Tiny', 'title: Tinier'));
    expect((await api.reloadContent(r.id)).content).toMatchObject({ title: 'Tinier', revision: 1 });
    expect((await api.content(r.id)).title).toBe('Tinier');
    fs.writeFileSync(path.join(dir, 'index.md'), '---\nkind: challenge\n---\n');
    const refused = await apiError(api.reloadContent(r.id));
    expect(refused.code).toBe('invalid_content');
    expect(refused.message).toMatch(/title/);
    expect((await api.get(r.id)).content).toMatchObject({ title: 'Tinier', revision: 1 });
    await api.destroy(r.id);
    const plain = await runningPlayground();
    expect((await apiError(api.content(plain.id))).code).toBe('no_content');
    expect((await apiError(api.reloadContent(plain.id))).code).toBe('no_content');
    await api.destroy(plain.id);
  });
});

describe('errors', () => {
  it('come as codes: bad bodies, wrong tokens, unknown things, an agent that is gone', async () => {
    const bad = await apiError(api.create({ template: 'linux', lifetimeMinutes: -1 }));
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(bad.message).toMatch(/^lifetimeMinutes: expected a number of minutes/);
    expect((await apiError(api.create({ template: 'nope' }))).code).toBe('template_not_found');
    expect((await apiError(new AgentClient({ url: api.endpoint.url, token: 'wrong' }).list())).code).toBe('unauthorized');
    const refused = new AgentClient({ url: api.endpoint.url, token: 'wrong' }).follow('pg-x', () => undefined);
    expect(
      await refused.opened.then(
        () => 'opened',
        (e: unknown) => (e instanceof AgentApiError ? e.code : String(e)),
      ),
    ).toBe('unauthorized');
    const missing = api.follow('pg-missing', () => undefined);
    expect(
      await missing.opened.then(
        () => 'opened',
        (e: unknown) => (e instanceof AgentApiError ? e.code : String(e)),
      ),
    ).toBe('playground_not_found');
    await expect(new AgentClient({ url: 'http://127.0.0.1:9', token: TOKEN }).info()).rejects.toBeInstanceOf(AgentUnreachableError);
  });

  it('logged no unexpected error and no code a route does not declare', () => {
    expect(logs.filter((l) => l.startsWith('error') && !/failed|stop:|start:/.test(l))).toEqual([]);
    expect(logs.filter((l) => /which the route table does not list/.test(l))).toEqual([]);
  });
});

describe('coverage of the route table', () => {
  it('reached every route of the table through the client', () => {
    expect([...routesSeen].sort()).toEqual([...ROUTE_NAMES].sort());
  });
});
