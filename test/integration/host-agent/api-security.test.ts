// The API's guards: bearer token on every call and upgrade, clear errors for bad input,
// tunnels confined to their own playground's machines and real ports.
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentApiError } from '../../../host-agent/api/client';
import { buildPath, paramNames } from '../../../host-agent/api/paths';
import { API, apiPath, ROUTE_NAMES, type PlaygroundRecord } from '../../../host-agent/api/protocol';
import { startAgent, startPlayground, type AgentHandle } from '../../helpers/agent-process';
import * as fs from 'node:fs';
import * as path from 'node:path';

let agent: AgentHandle;
let a: PlaygroundRecord;
let b: PlaygroundRecord;

beforeAll(async () => {
  agent = await startAgent();
  [a, b] = await Promise.all([startPlayground(agent), startPlayground(agent)]);
});

afterAll(async () => {
  for (const p of [a, b]) if (p) await agent.client.destroy(p.id).catch(() => undefined);
  await agent?.kill();
});

function rawGet(url: string, pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(pathname, url);
    http
      .get({ hostname: u.hostname, port: u.port, path: u.pathname, headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

function rawRequest(url: string, method: string, pathname: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(pathname, url);
    const req = http.request(
      { hostname: u.hostname, port: u.port, path: u.pathname, method, headers: { ...headers, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function wsStatus(url: string, pathname: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + pathname, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => undefined);
  });
}

describe('token', () => {
  it('keeps the token in a 0600 file and listens on loopback', () => {
    expect(fs.statSync(path.join(agent.home, 'token')).mode & 0o777).toBe(0o600);
    expect(new URL(agent.url).hostname).toBe('127.0.0.1');
  });

  it('answers 401 without or with a wrong token on HTTP', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: agent.token }] as Record<string, string>[]) {
      const r = await rawGet(agent.url, apiPath('listPlaygrounds', {}), headers);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'unauthorized' } });
      expect(r.body).toMatch(/bearer token/);
    }
    expect((await rawGet(agent.url, apiPath('listPlaygrounds', {}), { authorization: `Bearer ${agent.token}` })).status).toBe(200);
  });

  it('refuses WebSocket upgrades (events, tunnels) without the token', async () => {
    expect(await wsStatus(agent.url, apiPath('events', { id: a.id }), {})).toBe(401);
    expect(await wsStatus(agent.url, apiPath('tunnel', { id: a.id, machine: 'dev' }, { port: 22 }), { authorization: 'Bearer nope' })).toBe(401);
    expect(await wsStatus(agent.url, apiPath('tunnel', { id: a.id, machine: 'dev' }, { port: 22 }), { authorization: `Bearer ${agent.token}` })).toBe(101);
  });
});

describe('bad input', () => {
  const expectApiError = async (p: Promise<unknown>, status: number, message: RegExp) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AgentApiError);
    expect(err instanceof AgentApiError && err.status).toBe(status);
    expect(err instanceof AgentApiError && err.message).toMatch(message);
  };

  it('names an unknown template and lists the known ones', async () => {
    await expectApiError(agent.client.create({ template: 'nope' }), 404, /unknown template "nope" \(available: .*linux/);
  });

  it('reports every manifest problem with the file and the field path', async () => {
    const cases: [string, RegExp][] = [
      ['kind: playground\nname: x\nplayground:\n  machines: []\n', /my\.yaml: playground\.machines: expected at least one machine/],
      [
        'kind: playground\nname: x\nplayground:\n  machines:\n    - name: ok\n    - name: Node 1\n',
        /my\.yaml: playground\.machines\[1\]\.name: expected a DNS label .*got "Node 1"/,
      ],
      ['kind: tutorial\nname: x\nplayground:\n  machines: [{name: a}]\n', /my\.yaml: kind: expected "playground", got "tutorial"/],
      [
        'kind: playground\nname: x\nplayground:\n  machines: [{name: a, resources: {ramSize: lots}}]\n',
        /playground\.machines\[0\]\.resources\.ramSize: expected a size like "512MiB", "2GiB", "512Mi" or "2Gi", got "lots"/,
      ],
      ['kind: playground\nname: x\nplayground:\n  machines: [{name: a}, {name: a}]\n', /playground\.machines\[1\]\.name: duplicate machine name "a"/],
      ['kind: playground\nname: x\nplayground:\n  machines: [{name: a, colour: red}]\n', /playground\.machines\[0\]: unknown field "colour"/],
      ['kind: playground\nname: x\nplayground:\n  machines:\n    - name: a\n   bad: indent\n', /my\.yaml: line \d+, column \d+/],
      ['kind: playground\nname: x\n', /my\.yaml: playground: required field is missing/],
      ['- just\n- a list\n', /my\.yaml: expected a YAML mapping/],
      [
        'kind: playground\nname: x\nplayground:\n  machines: [{name: a, startupFiles: [{path: /etc/motd, content: hi}]}]\n',
        /my\.yaml: playground\.machines\[0\]\.startupFiles\[0\]\.path: the sandbox driver keeps the host's root read-only/,
      ],
      [
        'kind: playground\nname: x\nplayground:\n  machines: [{name: a, resources: {ramSize: 100000Gi}}]\n',
        /^my\.yaml: playground\.machines\[0\]\.resources\.ramSize: 100000Gi is more than this host's memory \(\d+\.\d GiB\) \(sandbox driver\)$/,
      ],
      [
        'kind: playground\nname: x\nplayground:\n  machines: [{name: a, startupFiles: [{path: "/root/a\\0b", content: hi}]}]\n',
        /^my\.yaml: playground\.machines\[0\]\.startupFiles\[0\]\.path: expected a path without NUL bytes, got "\/root\/a\\u0000b"$/,
      ],
    ];
    for (const [manifest, message] of cases) {
      await expectApiError(agent.client.create({ manifest, manifestName: 'my.yaml' }), 400, message);
    }
  });

  it('rejects bad lifetimes, extensions and exec requests', async () => {
    await expectApiError(agent.client.create({ template: 'linux', lifetimeMinutes: -5 }), 400, /lifetimeMinutes: expected/);
    await expectApiError(agent.client.extend(a.id, 0), 400, /minutes: expected a number of minutes/);
    await expectApiError(
      agent.client.exec(a.id, 'dev', { command: '' }, () => undefined),
      400,
      /command: expected a non-empty string/,
    );
    await expectApiError(
      agent.client.exec(a.id, 'dev', { command: 'true', user: 'nobody-here' }, () => undefined),
      400,
      /user: machine dev has no user "nobody-here"/,
    );
  });

  it('answers 400 naming the request body for a body that is not an object, on every route that takes one', async () => {
    for (const name of ROUTE_NAMES.filter((n) => 'body' in API[n])) {
      const params = Object.fromEntries(paramNames(API[name].path).map((p) => [p, p === 'id' ? a.id : p === 'machine' ? 'dev' : 'x']));
      for (const body of ['null', '[]', '"text"', '42']) {
        const r = await rawRequest(agent.url, API[name].method, buildPath(API[name].path, params), body, { authorization: `Bearer ${agent.token}` });
        expect(r.status, `${name} ${body}`).toBe(400);
        expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'invalid_request' } });
        expect(r.body).toMatch(/"message":"request body: expected a JSON object, got /);
      }
    }
  });

  it('answers 404 for unknown playgrounds and routes', async () => {
    await expectApiError(agent.client.get('pg-doesnotexist'), 404, /no playground "pg-doesnotexist"/);
    const r = await rawGet(agent.url, '/v1/nothing', { authorization: `Bearer ${agent.token}` });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'route_not_found', message: 'no API route /v1/nothing' } });
  });
});

describe('tunnels', () => {
  it('reach only the machines of the playground named in the URL', async () => {
    // Playground b has a machine called dev too; asking a's tunnel for a machine it does
    // not have must not fall through to another playground.
    await expect(agent.client.tunnel(a.id, 'node-01', 22)).rejects.toThrow(/has no machine "node-01"/);
    await expect(agent.client.tunnel('pg-doesnotexist', 'dev', 22)).rejects.toThrow(/no playground/);
  });

  it('refuse ports outside 1-65535 and closed ports inside the machine', async () => {
    await expect(agent.client.tunnel(a.id, 'dev', 0)).rejects.toThrow(/port: expected 1-65535/);
    await expect(agent.client.tunnel(a.id, 'dev', 70000)).rejects.toThrow(/port: expected 1-65535/);
    await expect(agent.client.tunnel(a.id, 'dev', 9)).rejects.toThrow(/connection refused inside the machine/);
  });

  it('keep playgrounds apart: neither a machine nor a tunnel reaches another playground', async () => {
    const run = async (id: string, command: string) => {
      let out = '';
      const exit = await agent.client.exec(id, 'dev', { command }, (c) => {
        if (c.type === 'stdout' || c.type === 'stderr') out += Buffer.from(c.data, 'base64').toString();
      });
      return { code: exit.code, out };
    };
    await run(
      b.id,
      '(python3 -m http.server 8123 --bind 0.0.0.0 >/dev/null 2>&1 &); for i in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/8123) 2>/dev/null && break; sleep 0.1; done',
    );
    const bAddress = b.machines[0].address!;
    // b's server answers through b's own tunnel…
    const ok = await agent.client.tunnel(b.id, 'dev', 8123);
    ok.destroy();
    // …but not through a's tunnel, nor from inside a (both playgrounds use the same private
    // addresses in separate network namespaces: a only ever reaches itself).
    await expect(agent.client.tunnel(a.id, 'dev', 8123)).rejects.toThrow(/connection refused inside the machine/);
    const probe = await run(a.id, `python3 -c "import socket; socket.create_connection(('${bAddress}', 8123), timeout=3)" 2>&1; echo rc=$?`);
    expect(probe.out).toMatch(/Connection refused/);
    expect(probe.out).toMatch(/rc=1/);
  });
});
