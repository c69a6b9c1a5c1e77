import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewritePath, startRewriteProxy, type Connect, type RewriteProxy } from '../../../../extension/layout/http-rewrite-proxy';

/** The "machine": real HTTP and HTTPS servers on loopback that echo what they received. */
const echo = (req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ host: req.headers.host, url: req.url, tls: 'encrypted' in req.socket }));
};

let dir: string;
let plain: http.Server;
let secure: https.Server;
const proxies: RewriteProxy[] = [];

const listen = (s: net.Server) =>
  new Promise<number>((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      resolve(a && typeof a === 'object' ? a.port : 0);
    }),
  );
const tcp =
  (port: number): Connect =>
  () =>
    new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => resolve(sock));
      sock.once('error', reject);
    });
const get = (port: number, p: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) =>
    http
      .get({ host: '127.0.0.1', port, path: p }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject),
  );

let plainPort: number;
let securePort: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-proxy-'));
  const r = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=dashboard.local',
    '-keyout',
    `${dir}/key.pem`,
    '-out',
    `${dir}/cert.pem`,
  ]);
  expect(r.status).toBe(0);
  plain = http.createServer(echo);
  plain.on('upgrade', (req: http.IncomingMessage, sock: net.Socket) => {
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n${req.headers.host} ${req.url}`);
    sock.end();
  });
  secure = https.createServer({ key: fs.readFileSync(`${dir}/key.pem`), cert: fs.readFileSync(`${dir}/cert.pem`) }, echo);
  plainPort = await listen(plain);
  securePort = await listen(secure);
});

afterAll(async () => {
  for (const p of proxies) await p.close();
  plain.closeAllConnections();
  secure.closeAllConnections();
  await new Promise((r) => plain.close(r));
  await new Promise((r) => secure.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('http-port rewrite proxy', () => {
  it('speaks TLS to the machine, rewrites Host and prepends the path', async () => {
    const errors: string[] = [];
    const p = await startRewriteProxy(tcp(securePort), { tls: true, hostRewrite: 'dashboard.local', pathRewrite: '/ui/' }, (m) => errors.push(m));
    proxies.push(p);
    const r = await get(p.port, '/app.js?x=1');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ host: 'dashboard.local', url: '/ui/app.js?x=1', tls: true });
    expect(JSON.parse((await get(p.port, '/ui/already')).body)).toMatchObject({ url: '/ui/already' });
    expect(errors).toEqual([]);
  });

  it('passes WebSocket-style upgrades through with the same rewrites', async () => {
    const p = await startRewriteProxy(tcp(plainPort), { tls: false, hostRewrite: 'app.internal', pathRewrite: '/ws' }, () => undefined);
    proxies.push(p);
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(p.port, '127.0.0.1', () =>
        sock.write('GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n'),
      );
      let data = '';
      sock.on('data', (d: Buffer) => (data += d.toString()));
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 101 Switching Protocols/);
    expect(reply.endsWith('app.internal /ws/socket')).toBe(true);
  });

  it('answers 502 with the reason when the machine port does not answer', async () => {
    const errors: string[] = [];
    const dead = await startRewriteProxy(
      () => Promise.reject(new Error('tunnel refused')),
      { tls: false },
      (m) => errors.push(m),
    );
    proxies.push(dead);
    const r = await get(dead.port, '/');
    expect(r).toEqual({ status: 502, body: "Sandlot: the machine's port did not answer: tunnel refused\n" });
    expect(errors).toContain('tunnel refused');
  });

  it('rewrites paths only outside the prefix', () => {
    expect(rewritePath(undefined, '/a')).toBe('/a');
    expect(rewritePath('/', '/a')).toBe('/a');
    expect(rewritePath('/ui/', '/')).toBe('/ui/');
    expect(rewritePath('/ui', '/ui?q=1')).toBe('/ui?q=1');
    expect(rewritePath('/ui', '/uix')).toBe('/ui/uix');
  });
});
