// The agent's HTTP JSON API and WebSockets (event streams, tunnels). Every request and
// every upgrade must carry the bearer token. Routes are a table so other services
// (the task engine) can add theirs without touching this file's logic.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import {
  API_PREFIX,
  CLOSE_PLAYGROUND_GONE,
  type AgentInfo,
  type CreatePlaygroundRequest,
  type ExecRequest,
  type ExtendRequest,
  type PlaygroundEvent,
  type SshKeyResponse,
} from '../api/protocol';
import type { TemplateCatalog } from '../playgrounds/catalog';
import type { PlaygroundEvents } from '../playgrounds/events';
import { ApiProblem, type PlaygroundManager } from '../playgrounds/manager';
import { execInMachine } from './exec';
import { readJsonBody, sendError, sendJson } from './http';
import { tokenMatches } from './token';

export interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  params: string[];
  url: URL;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  /** Matched against the path; capture groups become `params` (URI-decoded). */
  path: RegExp;
  handle(ctx: RouteContext): Promise<void>;
}

export interface WsRoute {
  path: RegExp;
  /**
   * Checks the request and prepares the target before the upgrade, so a refusal is a
   * plain HTTP error with a message (a client never sees a socket that then closes);
   * resolves with what to do with the accepted socket.
   */
  accept(ctx: { params: string[]; url: URL }): Promise<(ws: WebSocket) => void>;
}

export interface AgentServerOptions {
  token: string;
  manager: PlaygroundManager;
  catalog: TemplateCatalog;
  events: PlaygroundEvents;
  info: () => AgentInfo;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const ID = '([a-z0-9-]+)';
const NAME = '([a-z0-9-]+)';

export class AgentServer {
  private readonly http: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly routes: Route[] = [];
  private readonly wsRoutes: WsRoute[] = [];

  constructor(private readonly opts: AgentServerOptions) {
    this.http = http.createServer((req, res) => void this.onRequest(req, res));
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.http.keepAliveTimeout = 30_000;
    this.addCoreRoutes();
  }

  addRoute(route: Route): void {
    this.routes.push(route);
  }

  addWsRoute(route: WsRoute): void {
    this.wsRoutes.push(route);
  }

  /** `127.0.0.1:0`, `host:port` or `unix:/path`; resolves with the URL clients use. */
  async listen(spec: string): Promise<string> {
    if (spec.startsWith('unix:')) {
      const file = spec.slice(5);
      fs.rmSync(file, { force: true });
      await new Promise<void>((resolve, reject) => {
        this.http.once('error', reject);
        this.http.listen(file, () => resolve());
      });
      fs.chmodSync(file, 0o600);
      return `unix:${file}`;
    }
    const m = /^(.*):(\d+)$/.exec(spec);
    if (!m) throw new Error(`--listen: expected host:port or unix:/path, got "${spec}"`);
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(Number(m[2]), m[1].replace(/^\[|\]$/g, ''), () => resolve());
    });
    const addr = this.http.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    try {
      if (!tokenMatches(this.opts.token, req.headers.authorization)) {
        throw new ApiProblem(401, 'unauthorized', 'missing or wrong bearer token (the agent keeps it in $SANDLOT_HOME/token)');
      }
      for (const route of this.routes) {
        if (route.method !== req.method) continue;
        const m = route.path.exec(url.pathname);
        if (!m) continue;
        await route.handle({ req, res, url, params: m.slice(1).map(decodeURIComponent) });
        return;
      }
      const known = this.routes.some((r) => r.path.test(url.pathname));
      throw known
        ? new ApiProblem(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`)
        : new ApiProblem(404, 'not_found', `no API route ${url.pathname}`);
    } catch (err) {
      if (!(err instanceof ApiProblem)) this.opts.log('error', `${req.method} ${url.pathname}: ${(err as Error).stack ?? err}`);
      sendError(res, err);
    }
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://agent');
    const refuse = (status: number, message: string) => {
      const body = `${message}\n`;
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    if (!tokenMatches(this.opts.token, req.headers.authorization)) return refuse(401, 'missing or wrong bearer token');
    for (const route of this.wsRoutes) {
      const m = route.path.exec(url.pathname);
      if (!m) continue;
      route.accept({ params: m.slice(1).map(decodeURIComponent), url }).then(
        (onOpen) => this.wss.handleUpgrade(req, socket, head, onOpen),
        (err: Error) => {
          const status = err instanceof ApiProblem ? err.status : 500;
          refuse(status, err.message);
        },
      );
      return;
    }
    refuse(404, `no WebSocket route ${url.pathname}`);
  }

  private addCoreRoutes(): void {
    const { manager, catalog } = this.opts;
    const pg = (rest = '') => new RegExp(`^${API_PREFIX}/playgrounds/${ID}${rest}$`);
    this.routes.push(
      { method: 'GET', path: new RegExp(`^${API_PREFIX}/info$`), handle: async ({ res }) => sendJson(res, 200, this.opts.info()) },
      {
        method: 'GET',
        path: new RegExp(`^${API_PREFIX}/templates$`),
        handle: async ({ res }) => {
          catalog.reload();
          sendJson(res, 200, catalog.list());
        },
      },
      { method: 'GET', path: new RegExp(`^${API_PREFIX}/playgrounds$`), handle: async ({ res }) => sendJson(res, 200, manager.list()) },
      {
        method: 'POST',
        path: new RegExp(`^${API_PREFIX}/playgrounds$`),
        handle: async ({ req, res }) => {
          const body = await readJsonBody<CreatePlaygroundRequest>(req);
          sendJson(res, 201, await manager.create(body));
        },
      },
      { method: 'GET', path: pg(), handle: async ({ res, params }) => sendJson(res, 200, manager.get(params[0])) },
      {
        method: 'DELETE',
        path: pg(),
        handle: async ({ res, params }) => {
          await manager.destroy(params[0]);
          sendJson(res, 200, { id: params[0], state: 'destroyed' });
        },
      },
      { method: 'POST', path: pg('/stop'), handle: async ({ res, params }) => sendJson(res, 200, await manager.stop(params[0])) },
      { method: 'POST', path: pg('/start'), handle: async ({ res, params }) => sendJson(res, 200, await manager.start(params[0])) },
      { method: 'POST', path: pg('/restart'), handle: async ({ res, params }) => sendJson(res, 200, await manager.restart(params[0])) },
      {
        method: 'POST',
        path: pg('/extend'),
        handle: async ({ req, res, params }) => {
          const body = await readJsonBody<ExtendRequest>(req);
          sendJson(res, 200, await manager.extend(params[0], body.minutes));
        },
      },
      {
        method: 'GET',
        path: pg('/ssh-key'),
        handle: async ({ res, params }) => {
          const key = manager.userKey(params[0]);
          const body: SshKeyResponse = { privateKey: key.privateKey, publicKey: key.publicKey, knownHosts: manager.knownHosts(params[0]) };
          sendJson(res, 200, body);
        },
      },
      { method: 'GET', path: pg('/memory'), handle: async ({ res, params }) => sendJson(res, 200, await manager.memoryUsage(params[0])) },
      {
        method: 'POST',
        path: pg(`/machines/${NAME}/exec`),
        handle: async ({ req, res, params }) => {
          const body = await readJsonBody<ExecRequest>(req);
          await execInMachine(manager, params[0], params[1], body, res);
        },
      },
    );

    this.wsRoutes.push(
      {
        path: pg('/events'),
        accept: async ({ params }) => {
          const id = params[0];
          manager.get(id);
          return (ws) => {
            const send = (e: PlaygroundEvent) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(e));
            send({ type: 'snapshot', at: new Date().toISOString(), playground: manager.get(id) });
            // Steps a late subscriber missed (the CLI subscribes right after POST).
            for (const past of this.opts.events.recent(id)) if (past.type === 'step') send(past);
            const unsubscribe = this.opts.events.subscribe(id, (e) => {
              send(e);
              if (e.type === 'playground' && e.state === 'destroyed') ws.close(CLOSE_PLAYGROUND_GONE, 'playground destroyed');
            });
            ws.on('close', unsubscribe);
            ws.on('error', unsubscribe);
          };
        },
      },
      {
        path: pg(`/machines/${NAME}/tunnel`),
        accept: async ({ params, url }) => {
          const raw = url.searchParams.get('port') ?? '22';
          const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
          const target = await manager.connect(params[0], params[1], port, true);
          return (ws) => {
            const stream = createWebSocketStream(ws);
            stream.pipe(target).pipe(stream);
            const end = () => {
              stream.destroy();
              target.destroy();
            };
            stream.on('error', end);
            target.on('error', end);
            target.on('close', () => ws.close());
          };
        },
      },
    );
  }
}
