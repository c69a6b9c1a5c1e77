// A loopback HTTP proxy in front of one machine port, for `http-port` tabs that ask for
// more than a plain forward: `tls` (the machine's server speaks HTTPS: the browser talks
// plain HTTP to us and we speak TLS to it — its certificate is the playground's own and
// the path to it is already the authenticated agent tunnel, so it is not verified),
// `hostRewrite` (the Host header the server expects) and `pathRewrite` (the app lives
// below a path: requests outside it get it prepended). WebSocket upgrades pass through
// with the same rewrites. No vscode import: unit-tested against real servers.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { errorMessage } from '../../host-agent/util/errors';

export interface RewriteOptions {
  tls: boolean;
  hostRewrite?: string;
  pathRewrite?: string;
}

/** A byte stream to the machine's port (the agent tunnel). */
export type Connect = () => Promise<Duplex>;

/** `/ui/` + `/app.js` → `/ui/app.js`; paths already below the prefix stay as they are. */
export function rewritePath(prefix: string | undefined, path: string): string {
  if (!prefix || prefix === '/') return path;
  const base = prefix.replace(/\/+$/, '');
  if (path === base || path.startsWith(`${base}/`) || path.startsWith(`${base}?`)) return path;
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}

function hostHeader(opts: RewriteOptions, given: string | undefined): string | undefined {
  return opts.hostRewrite ?? given;
}

async function upstream(connect: Connect, opts: RewriteOptions): Promise<Duplex> {
  const stream = await connect();
  if (!opts.tls) return stream;
  const servername = opts.hostRewrite?.replace(/:\d+$/, '');
  return await new Promise<Duplex>((resolve, reject) => {
    const socket = tls.connect({ socket: stream, rejectUnauthorized: false, ...(servername && !/^[\d.]+$/.test(servername) ? { servername } : {}) }, () =>
      resolve(socket),
    );
    socket.once('error', reject);
  });
}

export interface RewriteProxy {
  port: number;
  close(): Promise<void>;
}

export async function startRewriteProxy(connect: Connect, opts: RewriteOptions, onError: (message: string) => void): Promise<RewriteProxy> {
  const server = http.createServer((req, res) => {
    const fail = (message: string) => {
      onError(message);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Sandlot: the machine's port did not answer: ${message}\n`);
    };
    upstream(connect, opts).then(
      (socket) => {
        const headers = { ...req.headers, host: hostHeader(opts, req.headers.host) };
        const out = http.request(
          { createConnection: () => socket, method: req.method, path: rewritePath(opts.pathRewrite, req.url ?? '/'), headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
            answer.pipe(res);
          },
        );
        out.on('error', (err) => fail(err.message));
        req.pipe(out);
      },
      (err: unknown) => fail(errorMessage(err)),
    );
  });
  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    upstream(connect, opts).then(
      (socket) => {
        const lines = [`${req.method ?? 'GET'} ${rewritePath(opts.pathRewrite, req.url ?? '/')} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i];
          lines.push(`${name}: ${name.toLowerCase() === 'host' ? hostHeader(opts, req.rawHeaders[i + 1]) : req.rawHeaders[i + 1]}`);
        }
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) socket.write(head);
        socket.pipe(client).pipe(socket);
        socket.on('error', () => client.destroy());
        client.on('error', () => socket.destroy());
      },
      (err: unknown) => {
        onError(errorMessage(err));
        client.destroy();
      },
    );
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('the proxy has no TCP address'));
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
