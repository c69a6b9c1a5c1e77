// `sandlot mcp` as an MCP client sees it: the official SDK's client spawns the real CLI
// (dist/sandlot.js mcp) over stdio against a real agent with the sandbox driver, and
// works in real machines: start → run → write → read back → ports → forward → destroy;
// the session's scope and limits; capped output; errors that name the problem; the
// agent's log naming the client; nothing left behind.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, type CallToolResult, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { destroyAllAndStop, CLI, printed, startAgent, startPlayground, type AgentHandle } from '../../../helpers/agent-process';
import { snapshotHost, waitForNoLeaks, type HostResources } from '../../../helpers/host-leaks';

const CLIENT = { name: 'sandlot-test', version: '1.0.0' };

interface McpConnection {
  client: Client;
  /** What the server wrote to stderr. */
  stderr: () => string;
  pid: number;
  close(): Promise<void>;
}

let agent: AgentHandle;
let before: HostResources;
const open: McpConnection[] = [];

/** Spawns `sandlot mcp` (with `args`) for the agent's SANDLOT_HOME and connects the SDK's client to it. */
async function connect(args: string[] = []): Promise<McpConnection> {
  const env = Object.fromEntries(Object.entries(agent.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client(CLIENT);
  await client.connect(transport);
  const pid = transport.pid!;
  const conn: McpConnection = {
    client,
    stderr: () => stderr,
    pid,
    close: async () => {
      await client.close();
      await until('the server process to exit', () => !alive(pid));
    },
  };
  open.push(conn);
  return conn;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A tool call's result in the current protocol's shape (the SDK's type also allows an old one). */
async function callTool(c: McpConnection, name: string, args: Record<string, unknown>, options?: Parameters<Client['callTool']>[2]): Promise<CallToolResult> {
  return CallToolResultSchema.parse(await c.client.callTool({ name, arguments: args }, undefined, options));
}

/**
 * A tool call that must succeed: its structured result, typed as what the tool returns
 * (the server checked it against the tool's output schema; the test checks the fields it uses).
 */
async function call<T = Record<string, unknown>>(
  c: McpConnection,
  name: string,
  args: Record<string, unknown> = {},
  options?: Parameters<Client['callTool']>[2],
): Promise<T> {
  const r = await callTool(c, name, args, options);
  if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
  return printed<T>(JSON.stringify(r.structuredContent));
}

/** A resource's JSON text, typed as what it holds. */
function resourceJson<T>(r: ReadResourceResult): T {
  const first = r.contents[0];
  return printed<T>(first && 'text' in first ? first.text : '');
}

/** A tool call that must fail: its one-line message. */
async function refused(c: McpConnection, name: string, args: Record<string, unknown>): Promise<string> {
  const r = await callTool(c, name, args);
  expect(r.isError, `${name} should have failed, got ${textOf(r)}`).toBe(true);
  const text = textOf(r);
  expect(text).not.toMatch(/\n\s+at /);
  return text;
}

function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

interface Summary {
  id: string;
  state: string;
  machines: { name: string; users: string[]; defaultUser: string }[];
  startedByThisSession: boolean;
  startedBy?: string;
}

beforeAll(async () => {
  before = snapshotHost();
  agent = await startAgent();
});

afterAll(async () => {
  for (const c of open) await c.close().catch(() => undefined);
  await destroyAllAndStop(agent);
  expect(await waitForNoLeaks(before, 30_000)).toEqual({});
  fs.rmSync(agent.home, { recursive: true, force: true });
});

describe('sandlot mcp', () => {
  it('lists its tools with input and output schemas, and says which ones are destructive', async () => {
    const c = await connect();
    const { tools } = await c.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'destroy_playground',
        'extend_playground',
        'forward_port',
        'list_files',
        'list_playgrounds',
        'list_ports',
        'list_templates',
        'playground_status',
        'read_file',
        'run_command',
        'start_playground',
        'stop_playground',
        'task_states',
        'write_file',
      ].sort(),
    );
    expect(byName.destroy_playground.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(byName.run_command.annotations).toMatchObject({ destructiveHint: true });
    expect(byName.read_file.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.run_command.inputSchema.required).toEqual(expect.arrayContaining(['playground', 'command']));
    expect(byName.run_command.outputSchema?.properties).toHaveProperty('truncated');
    expect(c.client.getServerVersion()).toMatchObject({ name: 'sandlot' });
    expect(c.client.getInstructions()).toMatch(/only on playgrounds this session started/);
    const templates = await call<{ templates: { name: string }[] }>(c, 'list_templates');
    expect(templates.templates.map((t) => t.name)).toContain('linux');
  });

  it('starts a playground, runs commands, writes and reads files, lists and forwards a port, and destroys it', async () => {
    const c = await connect();
    const progress: string[] = [];
    const { playground, ready } = await call<{ playground: Summary & { minutesLeft: number }; ready: boolean }>(
      c,
      'start_playground',
      { template: 'linux' },
      { onprogress: (p) => progress.push(p.message ?? ''), timeout: 120_000 },
    );
    expect(ready).toBe(true);
    expect(playground).toMatchObject({ state: 'running', startedByThisSession: true, startedBy: 'sandlot-test/1.0.0' });
    expect(playground.minutesLeft).toBeGreaterThan(25);
    expect(playground.minutesLeft).toBeLessThanOrEqual(30);
    expect(progress.join('\n')).toMatch(/machine dev/);
    const id = playground.id;
    // Labelled in the agent, so other clients see whose it is.
    const labels = (await agent.client.get(id)).labels ?? {};
    expect(labels['mcp.client']).toBe('sandlot-test/1.0.0');
    expect(labels['mcp.session']).toMatch(/^[0-9a-f]{12}$/);

    const ran = await call<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean; truncated: boolean }>(c, 'run_command', {
      playground: id,
      command: 'echo "on $(hostname) as $(id -un)"; echo oops >&2; exit 3',
    });
    expect(ran).toMatchObject({ exitCode: 3, stdout: 'on dev as root\n', stderr: 'oops\n', timedOut: false, truncated: false });
    const env = await call<{ stdout: string }>(c, 'run_command', {
      playground: id,
      machine: 'dev',
      command: 'echo "$GREETING"',
      env: { GREETING: 'hi there' },
    });
    expect(env.stdout).toBe('hi there\n');

    const text = 'line one\nünïcödé ✓\n';
    expect(await call(c, 'write_file', { playground: id, path: '/root/notes/hello.txt', content: text, makeParents: true, mode: '0640' })).toEqual({
      path: '/root/notes/hello.txt',
      bytesWritten: Buffer.byteLength(text),
    });
    expect(await call(c, 'read_file', { playground: id, path: '/root/notes/hello.txt' })).toMatchObject({
      encoding: 'utf8',
      content: text,
      truncated: false,
      size: Buffer.byteLength(text),
    });
    const checked = await call<{ stdout: string }>(c, 'run_command', {
      playground: id,
      command: 'stat -c %a /root/notes/hello.txt; cat /root/notes/hello.txt',
    });
    expect(checked.stdout).toBe(`640\n${text}`);
    const binary = Buffer.from([0, 1, 2, 255, 254, 0, 10]);
    await call(c, 'write_file', { playground: id, path: 'notes/blob.bin', content: binary.toString('base64'), encoding: 'base64' });
    expect(await call(c, 'read_file', { playground: id, path: '/root/notes/blob.bin' })).toMatchObject({
      encoding: 'base64',
      content: binary.toString('base64'),
    });
    const listing = await call<{ entries: { name: string; type: string; size: number }[] }>(c, 'list_files', { playground: id, path: '/root/notes' });
    expect(listing.entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['blob.bin', 'file', binary.length],
      ['hello.txt', 'file', Buffer.byteLength(text)],
    ]);

    // Resources: the record and a directory listing.
    const record = await c.client.readResource({ uri: `sandlot://${id}` });
    expect(resourceJson<PlaygroundRecord>(record).id).toBe(id);
    const dir = await c.client.readResource({ uri: `sandlot://${id}.dev/root/notes` });
    expect(resourceJson<{ entries: { name: string }[] }>(dir).entries.map((e) => e.name)).toEqual(['blob.bin', 'hello.txt']);
    const listed = await c.client.listResources();
    expect(listed.resources.map((r) => r.uri)).toEqual(expect.arrayContaining([`sandlot://${id}`, `sandlot://${id}.dev/root`]));

    // A server in the machine: its port listed, forwarded, and reachable from here.
    await call(c, 'run_command', {
      playground: id,
      command:
        'cd /root/notes && (nohup python3 -m http.server 8080 --bind 127.0.0.1 >/tmp/http.log 2>&1 &); for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && break; sleep 0.1; done',
    });
    const ports = await call<{ ports: { port: number; addresses: string[] }[] }>(c, 'list_ports', { playground: id });
    expect(ports.ports).toContainEqual({ port: 8080, addresses: ['127.0.0.1'] });
    const fwd = await call<{ url: string; localAddress: string }>(c, 'forward_port', { playground: id, port: 8080 });
    expect(fwd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await httpGet(fwd.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('hello.txt');
    expect(await call(c, 'forward_port', { playground: id, port: 8080 })).toMatchObject({ url: fwd.url });
    const status = await call<{ forwards: { url: string }[]; memoryBytes: Record<string, number> }>(c, 'playground_status', { playground: id });
    expect(status.forwards).toEqual([{ machine: 'dev', port: 8080, url: fwd.url }]);

    const extended = await call<{ playground: { minutesLeft: number } }>(c, 'extend_playground', { playground: id, minutes: 60 });
    expect(extended.playground.minutesLeft).toBeGreaterThan(80);
    expect(await call(c, 'destroy_playground', { playground: id })).toEqual({ id, state: 'destroyed' });
    expect((await agent.client.list()).map((p) => p.id)).not.toContain(id);
    // The forward went with the playground.
    expect(await connects(Number(new URL(fwd.url).port))).toBe(false);

    // Every call is in the agent's log with the client's name.
    const log = agent.log();
    expect(log).toMatch(/\[mcp sandlot-test\/1\.0\.0\] session [0-9a-f]{12} started/);
    expect(log).toMatch(new RegExp(`\\[mcp sandlot-test/1\\.0\\.0\\] tool run_command \\{"playground":"${id}".*→ ok: ${id}/dev exit 3`));
    expect(log).toMatch(/\[mcp sandlot-test\/1\.0\.0\] tool destroy_playground .*→ ok: destroyed/);
    expect(log).toMatch(/\[mcp sandlot-test\/1\.0\.0\] resource sandlot:\/\/pg-[a-z0-9]+\.dev\/root\/notes → ok/);
    await c.close();
  }, 180_000);

  it('keeps to its own playgrounds unless started with --all', async () => {
    const outside = await startPlayground(agent, 'linux');
    const c = await connect();
    const listed = await call<{ playgrounds: Summary[]; otherPlaygrounds: number }>(c, 'list_playgrounds');
    expect(listed.playgrounds.map((p) => p.id)).not.toContain(outside.id);
    expect(listed.otherPlaygrounds).toBeGreaterThanOrEqual(1);
    for (const [tool, args] of [
      ['run_command', { playground: outside.id, command: 'touch /root/touched' }],
      ['read_file', { playground: outside.id, path: '/etc/hostname' }],
      ['destroy_playground', { playground: outside.id }],
    ] as const) {
      expect(await refused(c, tool, args)).toMatch(
        new RegExp(`^playground '${outside.id}' was not started by this MCP session, so it is out of scope .*--all`),
      );
    }
    const resource = await c.client.readResource({ uri: `sandlot://${outside.id}` }).then(
      () => 'read',
      (e: unknown) => String(e),
    );
    expect(resource).toMatch(/out of scope/);
    expect(agent.log()).toMatch(
      new RegExp(`warn .*\\[mcp sandlot-test/1\\.0\\.0\\] tool destroy_playground .*→ refused: playground '${outside.id}' was not started`),
    );
    expect((await agent.client.get(outside.id)).state).toBe('running');

    const all = await connect(['--all']);
    const ran = await call<{ stdout: string; exitCode: number }>(all, 'run_command', { playground: outside.id, command: 'hostname' });
    expect(ran).toMatchObject({ exitCode: 0, stdout: 'dev\n' });
    const everything = await call<{ playgrounds: Summary[] }>(all, 'list_playgrounds');
    expect(everything.playgrounds.find((p) => p.id === outside.id)).toMatchObject({ startedByThisSession: false });
    await agent.client.destroy(outside.id);
    await all.close();
    await c.close();
  }, 120_000);

  it('caps output, times commands out, truncates long files, and limits the playgrounds of a session', async () => {
    const c = await connect(['--max-playgrounds', '1', '--lifetime', '10']);
    const { playground } = await call<{ playground: Summary & { minutesLeft: number } }>(c, 'start_playground', { template: 'linux' });
    expect(playground.minutesLeft).toBeLessThanOrEqual(10);
    const second = await refused(c, 'start_playground', { template: 'linux' });
    expect(second).toBe(
      `this MCP session already has 1 playground(s) (${playground.id}), the most it may have (--max-playgrounds 1); destroy one with destroy_playground first`,
    );

    const big = await call<{ stdout: string; stdoutBytes: number; truncated: boolean; exitCode: number }>(c, 'run_command', {
      playground: playground.id,
      command: "printf 'first-line\\n'; head -c 300000 /dev/zero | tr '\\0' x; printf '\\nlast-line\\n'",
      maxOutputBytes: 1000,
    });
    expect(big).toMatchObject({ exitCode: 0, truncated: true, stdoutBytes: 300000 + 'first-line\n\nlast-line\n'.length });
    expect(big.stdout.startsWith('first-line\n')).toBe(true);
    expect(big.stdout.endsWith('\nlast-line\n')).toBe(true);
    expect(big.stdout).toMatch(/\[… 299\d{3} bytes of output left out …\]/);
    expect(big.stdout.length).toBeLessThan(1100);

    const slow = await call<{ timedOut: boolean; exitCode: number; durationMs: number; stdout: string }>(c, 'run_command', {
      playground: playground.id,
      command: 'echo started; sleep 30; echo never',
      timeoutSeconds: 2,
    });
    expect(slow).toMatchObject({ timedOut: true, exitCode: 124, stdout: 'started\n' });
    expect(slow.durationMs).toBeLessThan(15_000);

    await call(c, 'run_command', { playground: playground.id, command: 'seq 1 100000 > /root/numbers.txt' });
    const part = await call<{ content: string; truncated: boolean; bytesRead: number; size: number }>(c, 'read_file', {
      playground: playground.id,
      path: '/root/numbers.txt',
      maxBytes: 10,
    });
    expect(part).toMatchObject({ content: '1\n2\n3\n4\n5\n', truncated: true, bytesRead: 10, size: 588895 });
    const next = await call<{ content: string }>(c, 'read_file', { playground: playground.id, path: '/root/numbers.txt', offset: 10, maxBytes: 4 });
    expect(next.content).toBe('6\n7\n');

    await call(c, 'destroy_playground', { playground: playground.id });
    const again = await call<{ playground: Summary }>(c, 'start_playground', { template: 'linux' });
    await call(c, 'destroy_playground', { playground: again.playground.id });
    await c.close();
  }, 180_000);

  it('answers bad input with one line naming the problem', async () => {
    const c = await connect();
    const { playground } = await call<{ playground: Summary }>(c, 'start_playground', { template: 'linux' });
    const id = playground.id;
    expect(await refused(c, 'run_command', { playground: id, machine: 'node-01', command: 'true' })).toBe(
      `machine 'node-01' not found in ${id}; machines: dev`,
    );
    expect(await refused(c, 'run_command', { playground: id })).toMatch(/expected the command as a string.*command/);
    expect(await refused(c, 'run_command', { playground: 'pg-zzzzzz', command: 'true' })).toBe(
      `playground 'pg-zzzzzz' not found; playgrounds of this session: ${id}`,
    );
    expect(await refused(c, 'run_command', { playground: 'my box', command: 'true' })).toMatch(/expected a playground id like pg-7f3k2a .*got "my box"/);
    expect(await refused(c, 'run_command', { playground: id, command: 'true', user: 'nobody-here' })).toMatch(
      /user: machine dev has no user "nobody-here" \(users: root/,
    );
    expect(await refused(c, 'read_file', { playground: id, path: '/root/missing.txt' })).toBe('/root/missing.txt: no such file or directory');
    expect(await refused(c, 'read_file', { playground: id, path: '/etc' })).toBe('/etc is a directory; list it with list_files');
    expect(await refused(c, 'write_file', { playground: id, path: '/root/a/b/c.txt', content: 'x' })).toBe(
      '/root/a/b/c.txt: the directory /root/a/b does not exist (set makeParents: true)',
    );
    expect(await refused(c, 'write_file', { playground: id, path: '/root/x', content: 'x', mode: 'rwx' })).toMatch(/expected permission bits in octal/);
    expect(await refused(c, 'start_playground', {})).toMatch(/^give one of template/);
    expect(await refused(c, 'start_playground', { template: 'linux', tutorial: 'linux-basics' })).toBe(
      'give only one of template, manifest or tutorial, not template and tutorial',
    );
    expect(await refused(c, 'start_playground', { template: 'no-such-template' })).toMatch(/no-such-template/);
    expect(await refused(c, 'start_playground', { manifest: 'kind: playground\nname: x\nplayground:\n  machines:\n    - name: Bad Name\n' })).toMatch(
      /machines\[0\]\.name/,
    );
    expect(await refused(c, 'task_states', { playground: id })).toBe(
      `playground ${id} runs no tutorial or challenge (start one with start_playground tutorial=<name>)`,
    );
    expect(await refused(c, 'forward_port', { playground: id, port: 70000 })).toMatch(/expected a port from 1 to 65535/);
    await call(c, 'destroy_playground', { playground: id });
    await c.close();
    expect(fs.existsSync(path.join(agent.home, 'agent.json'))).toBe(true);
  }, 120_000);

  it('ends with its client: the process exits and its forwards close', async () => {
    const c = await connect();
    const { playground } = await call<{ playground: Summary }>(c, 'start_playground', { template: 'linux' });
    await call(c, 'run_command', {
      playground: playground.id,
      command:
        '(nohup python3 -m http.server 9090 >/dev/null 2>&1 &); for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/9090) 2>/dev/null && break; sleep 0.1; done',
    });
    const fwd = await call<{ url: string }>(c, 'forward_port', { playground: playground.id, port: 9090 });
    const port = Number(new URL(fwd.url).port);
    expect(await connects(port)).toBe(true);
    await c.close();
    expect(await connects(port)).toBe(false);
    expect(agent.log()).toMatch(/\[mcp sandlot-test\/1\.0\.0\] session [0-9a-f]{12} ended/);
    // What it started keeps running until its lifetime ends (the user may still look at it).
    expect((await agent.client.get(playground.id)).state).toBe('running');
    await agent.client.destroy(playground.id);
  }, 120_000);
});
