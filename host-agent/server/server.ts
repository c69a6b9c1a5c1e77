// The agent's HTTP server: bearer token on every request and upgrade, then dispatch by
// the route table (router.ts). It listens before the agent has finished starting (so a
// CLI sees the agent at once); `info` answers right away, every other route waits until
// `serve` hands over the handlers, or answers the start-up error when `fail` is called.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { API, ApiProblem, showValue, type AgentInfo, type RouteName } from '../api/protocol';
import { asProblem, errorBody, sendError, sendJson } from './http';
import {
  checkRequest,
  declaresError,
  findRoute,
  handlerFor,
  upgradeProtocol,
  type CheckedRequest,
  type Handlers,
  type OnConnection,
  type OnOpen,
} from './router';
import { tokenMatches } from './token';

/** Handlers the agent's services provide (everything but the server's own `agent` group). */
export type ServiceHandlers = Handlers<'playgrounds' | 'snapshots' | 'content'>;

export interface AgentServerOptions {
  token: string;
  info: () => AgentInfo;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Called with every request's route once it is matched (tests count coverage with it). */
  onRoute?: (name: RouteName) => void;
}

export class AgentServer {
  private readonly http: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly own: Handlers<'agent'>;
  private readonly services: Promise<ServiceHandlers>;
  private resolveServices!: (h: ServiceHandlers) => void;
  private rejectServices!: (err: unknown) => void;

  constructor(private readonly opts: AgentServerOptions) {
    this.own = {
      info: () => opts.info(),
      clientLog: ({ body }) => {
        opts.log(body.level ?? 'info', `[${body.client}] ${body.message}`);
        return { logged: true as const };
      },
    };
    this.services = new Promise<ServiceHandlers>((resolve, reject) => {
      this.resolveServices = resolve;
      this.rejectServices = reject;
    });
    this.services.catch(() => undefined); // answered per request
    this.http = http.createServer((req, res) => void this.onRequest(req, res));
    this.http.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.keepAliveTimeout = 30_000;
  }

  /** The agent is ready: requests waiting for it proceed. */
  serve(handlers: ServiceHandlers): void {
    this.resolveServices(handlers);
  }

  /** The agent could not start: requests waiting for it answer this error. */
  fail(err: unknown): void {
    this.rejectServices(err);
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
    const addr = this.http.address();
    if (!addr || typeof addr === 'string') throw new Error(`--listen ${spec}: the server reports no TCP address`);
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** The handler of a route; the agent's own answer at once, the services' once they are ready. */
  private async handler<F>(name: RouteName): Promise<F> {
    const table: Partial<Record<RouteName, unknown>> = API[name].group === 'agent' ? this.own : await this.services;
    return handlerFor<F>(table, name);
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    let name: RouteName | undefined;
    try {
      if (!tokenMatches(this.opts.token, req.headers.authorization)) {
        throw new ApiProblem('unauthorized', 'missing or wrong bearer token (the agent keeps it in $SANDLOT_HOME/token)');
      }
      const found = findRoute(req.method ?? 'GET', url.pathname);
      name = found.name;
      this.opts.onRoute?.(name);
      const handler = await this.handler<(ctx: CheckedRequest, res: http.ServerResponse) => unknown>(found.name);
      const spec = API[found.name];
      const result = await handler(await checkRequest(found, req, url), res);
      // `ndjson` handlers wrote their answer themselves.
      if (spec.reply === 'json') sendJson(res, 'status' in spec ? spec.status : 200, result);
    } catch (err) {
      this.report(req.method ?? 'GET', url.pathname, name, err);
      sendError(res, err);
    }
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://agent');
    socket.on('error', () => undefined); // a client that leaves mid-handshake is not our error
    let name: RouteName | undefined;
    const protocol = upgradeProtocol(req.headers.upgrade);
    /** Checks the request and prepares its target, then resolves with what answers the upgrade. */
    const accept = async (): Promise<() => void> => {
      if (!tokenMatches(this.opts.token, req.headers.authorization)) throw new ApiProblem('unauthorized', 'missing or wrong bearer token');
      if (!protocol) throw new ApiProblem('route_not_found', `no route upgrades to ${showValue(req.headers.upgrade)} (expected websocket or tcp)`);
      const found = findRoute('GET', url.pathname, protocol);
      name = found.name;
      this.opts.onRoute?.(name);
      if (protocol === 'websocket') {
        const handler = await this.handler<(ctx: CheckedRequest) => OnOpen | Promise<OnOpen>>(found.name);
        const onOpen = await handler(await checkRequest(found, req, url));
        return () => this.wss.handleUpgrade(req, socket, head, onOpen);
      }
      const handler = await this.handler<(ctx: CheckedRequest) => OnConnection | Promise<OnConnection>>(found.name);
      const onConnection = await handler(await checkRequest(found, req, url));
      return () => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: tcp\r\n\r\n');
        // Bytes the client sent right behind its request belong to the stream.
        if (head.length > 0) socket.unshift(head);
        onConnection(socket);
      };
    };
    accept().then(
      (answer) => answer(),
      (err: unknown) => {
        this.report('GET', url.pathname, name, err);
        const problem = asProblem(err);
        const body = JSON.stringify(errorBody(problem));
        socket.end(
          `HTTP/1.1 ${problem.status} ${http.STATUS_CODES[problem.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      },
    );
  }

  /** Logs what a client cannot fix: unexpected errors (with their stack, in the agent's log only) and undeclared codes. */
  private report(method: string, pathname: string, name: RouteName | undefined, err: unknown): void {
    if (!(err instanceof ApiProblem)) this.opts.log('error', `${method} ${pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    else if (name && !declaresError(name, err.code))
      this.opts.log('warn', `${method} ${pathname}: answered ${err.code}, which the route table does not list for ${name}`);
  }
}
