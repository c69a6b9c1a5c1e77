// Typed client of the agent API, shared by the CLI and the VS Code extension. Every URL
// comes from the route table (protocol.ts). Pure JavaScript (node:http + ws): it must
// run in Electron's Node without native modules. It loads neither zod nor (until a
// WebSocket is opened) ws: `sandlot list`, `run` and ssh-proxy start with little more than Node.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import {
  API,
  apiPath,
  isApiErrorCode,
  type AgentInfo,
  type ApiErrorBody,
  type BodyInput,
  type ClientLogRequest,
  type ContentSummary,
  type CreatePlaygroundRequest,
  type CreateSnapshotRequest,
  type ForkRequest,
  type SaveTemplateRequest,
  type SnapshotRecord,
  type ExecChunk,
  type ExecRequest,
  type HttpRouteName,
  type MachineChangedRequest,
  type ParamsOf,
  type PlaygroundEvent,
  type PlaygroundManifestView,
  type PlaygroundRecord,
  type ResponseOf,
  type SshKeyResponse,
  type StartContentRequest,
  type TaskRecord,
  type TemplateSummary,
} from './protocol';
import type { Content } from '../content/model';
import { parseOwnJson } from '../util/json';
import { AgentApiError, AgentUnreachableError, isApiError } from './client-errors';
import type { RunRequest } from './run-frames';
import { runOver, type RunChannel, type RunHandlers } from './run-client';
import { socketRunLink, webSocketRunLink } from './run-link';

export interface AgentEndpoint {
  /** `http://127.0.0.1:PORT` or `unix:/path/to/agent.sock`. */
  url: string;
  token: string;
}

export { AgentApiError, AgentUnreachableError, isApiError };

/** A followed event stream. */
export interface EventSubscription {
  /**
   * Stops following. Safe at any time: before the stream opened, from inside `onEvent`
   * (no event is delivered after it), or twice.
   */
  close(): void;
  /** Resolves once the stream is open; rejects when the agent refused it or is unreachable. */
  readonly opened: Promise<void>;
}

export class AgentClient {
  constructor(readonly endpoint: AgentEndpoint) {}

  info(): Promise<AgentInfo> {
    return this.call('info', {});
  }
  /** One line in the agent's log, naming the client. */
  log(req: ClientLogRequest): Promise<{ logged: true }> {
    return this.call('clientLog', {}, req);
  }
  templates(): Promise<TemplateSummary[]> {
    return this.call('listTemplates', {});
  }
  list(): Promise<PlaygroundRecord[]> {
    return this.call('listPlaygrounds', {});
  }
  get(id: string): Promise<PlaygroundRecord> {
    return this.call('getPlayground', { id });
  }
  create(req: CreatePlaygroundRequest): Promise<PlaygroundRecord> {
    return this.call('createPlayground', {}, req);
  }
  stop(id: string): Promise<PlaygroundRecord> {
    return this.call('stopPlayground', { id });
  }
  start(id: string): Promise<PlaygroundRecord> {
    return this.call('startPlayground', { id });
  }
  restart(id: string): Promise<PlaygroundRecord> {
    return this.call('restartPlayground', { id });
  }
  extend(id: string, minutes: number): Promise<PlaygroundRecord> {
    return this.call('extendPlayground', { id }, { minutes });
  }
  destroy(id: string): Promise<{ id: string; state: 'destroyed' }> {
    return this.call('destroyPlayground', { id });
  }
  /** The effective manifest of a playground and its layout. */
  manifest(id: string): Promise<PlaygroundManifestView> {
    return this.call('playgroundManifest', { id });
  }
  sshKey(id: string): Promise<SshKeyResponse> {
    return this.call('sshKey', { id });
  }
  memory(id: string): Promise<Record<string, number>> {
    return this.call('memory', { id });
  }
  // Snapshots, forks, saved templates.
  snapshot(id: string, req: CreateSnapshotRequest = {}): Promise<SnapshotRecord> {
    return this.call('createSnapshot', { id }, req);
  }
  snapshots(playground?: string): Promise<SnapshotRecord[]> {
    return this.call('listSnapshots', {}, undefined, playground ? { playground } : undefined);
  }
  getSnapshot(snapshot: string): Promise<SnapshotRecord> {
    return this.call('getSnapshot', { snapshot });
  }
  deleteSnapshot(snapshot: string): Promise<{ id: string; state: 'deleted' }> {
    return this.call('deleteSnapshot', { snapshot });
  }
  /** Forks a playground (a snapshot taken now) or a snapshot (`sn-…` or a snapshot name). */
  fork(from: { playground: string } | { snapshot: string }, req: ForkRequest = {}): Promise<PlaygroundRecord> {
    return 'playground' in from ? this.call('forkPlayground', { id: from.playground }, req) : this.call('forkSnapshot', { snapshot: from.snapshot }, req);
  }
  saveTemplate(from: { playground: string } | { snapshot: string }, req: SaveTemplateRequest): Promise<TemplateSummary> {
    return 'playground' in from ? this.call('savePlayground', { id: from.playground }, req) : this.call('saveSnapshot', { snapshot: from.snapshot }, req);
  }
  removeTemplate(name: string): Promise<{ name: string; removed: true }> {
    return this.call('deleteTemplate', { name });
  }
  // Content and tasks.
  builtinContent(): Promise<ContentSummary[]> {
    return this.call('listContent', {});
  }
  startContent(req: StartContentRequest): Promise<PlaygroundRecord> {
    return this.call('startContent', {}, req);
  }
  content(id: string): Promise<Content> {
    return this.call('playgroundContent', { id });
  }
  contentAction(id: string, action: 'stop' | 'restart'): Promise<PlaygroundRecord> {
    return this.call(action === 'stop' ? 'stopContent' : 'restartContent', { id });
  }
  /** Reads the playground's content again from its folder and swaps it in (see reloadContent). */
  reloadContent(id: string): Promise<PlaygroundRecord> {
    return this.call('reloadContent', { id });
  }
  tasks(id: string): Promise<Record<string, TaskRecord>> {
    return this.call('listTasks', { id });
  }
  submitTaskInput(id: string, task: string, value: string): Promise<TaskRecord> {
    return this.call('taskInput', { id, task }, { value });
  }
  /** Something changed in a machine: its playground's pending checks run now. */
  machineChanged(id: string, machine: string, req: MachineChangedRequest = {}): Promise<{ checking: string[] }> {
    return this.call('machineChanged', { id, machine }, req);
  }

  /** One JSON route of the table. */
  async call<K extends HttpRouteName>(name: K, params: ParamsOf<K>, body?: BodyInput<K>, query?: Record<string, string | number>): Promise<ResponseOf<K>> {
    const res = await this.raw(API[name].method, apiPath(name, params, query), body);
    return answer<ResponseOf<K>>(await readText(res));
  }

  /**
   * Runs a command in a machine; output arrives through `onChunk` (data in base64); resolves
   * with the exit. Aborting `signal` closes the request, which ends the command.
   */
  async exec(
    id: string,
    machine: string,
    req: ExecRequest,
    onChunk: (c: ExecChunk) => void,
    signal?: AbortSignal,
  ): Promise<Extract<ExecChunk, { type: 'exit' }>> {
    const res = await this.raw('POST', apiPath('exec', { id, machine }), req, signal);
    let buffered = '';
    let exit: Extract<ExecChunk, { type: 'exit' }> | undefined;
    for await (const chunk of res) {
      buffered += String(chunk);
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const c = answer<ExecChunk>(line);
        if (c.type === 'exit') exit = c;
        else if (c.type === 'error') throw new AgentApiError(502, 'exec_failed', c.message);
        else onChunk(c);
      }
    }
    if (!exit) throw new AgentApiError(502, 'exec_failed', 'the agent ended the exec stream without an exit status');
    return exit;
  }

  /** Follows a playground's event stream; the subscription exists before any event arrives. */
  follow(id: string, onEvent: (e: PlaygroundEvent) => void, onClose?: (code: number, reason: string) => void): EventSubscription {
    let ws: WebSocket | undefined;
    let closed = false;
    let opened = false;
    const open = this.websocket(apiPath('events', { id })).then(
      (socket) =>
        new Promise<void>((resolve, reject) => {
          // Closed while `ws` was still loading: never connect.
          if (closed) return;
          ws = socket;
          socket.on('open', () => {
            opened = true;
            resolve();
          });
          socket.on('unexpected-response', (_req, res) => void readError(res).then(reject, reject));
          socket.on('error', (err) => (opened || closed ? undefined : reject(this.unreachable(err))));
          socket.on('message', (data: Buffer) => {
            if (!closed) onEvent(answer<PlaygroundEvent>(data.toString('utf8')));
          });
          socket.on('close', (code, reason) => onClose?.(code, reason.toString()));
        }),
    );
    // Whoever does not await `opened` must not see an unhandled rejection.
    open.catch(() => undefined);
    return {
      opened: open,
      close: () => {
        if (closed) return;
        closed = true;
        if (!ws) return;
        if (ws.readyState === ws.CONNECTING) ws.terminate();
        else ws.close();
      },
    };
  }

  /** Follows a playground's event stream; resolves with a function that stops following. Prefer `follow`. */
  async events(id: string, onEvent: (e: PlaygroundEvent) => void, onClose?: (code: number, reason: string) => void): Promise<() => void> {
    const sub = this.follow(id, onEvent, onClose);
    await sub.opened;
    return () => sub.close();
  }

  /** Raw bytes to a TCP port of a machine, through the agent. */
  async tunnel(id: string, machine: string, port: number): Promise<Duplex> {
    const ws = await this.websocket(apiPath('tunnel', { id, machine }, { port }));
    const { createWebSocketStream } = await import('ws');
    return new Promise((resolve, reject) => {
      ws.on('open', () => {
        const stream = createWebSocketStream(ws);
        ws.removeAllListeners('error');
        resolve(stream);
      });
      ws.on('unexpected-response', (_req, res) => void readError(res).then(reject, reject));
      ws.on('error', (err) => reject(this.unreachable(err)));
    });
  }

  /**
   * The same bytes as `tunnel`, on the HTTP connection itself (route `tcpTunnel`, an
   * `Upgrade: tcp` request): no WebSocket library to load, no frames. ssh-proxy uses it.
   */
  tcpTunnel(id: string, machine: string, port: number): Promise<Duplex> {
    return this.upgradeTcp(apiPath('tcpTunnel', { id, machine }, { port }));
  }

  /** An `Upgrade: tcp` request for a `tcp` route: resolves with the connection after the agent's 101, rejects with its refusal. */
  private upgradeTcp(path: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        ...this.target(path),
        headers: { authorization: `Bearer ${this.endpoint.token}`, connection: 'Upgrade', upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket, head) => {
        // Bytes the agent sent right behind its answer belong to the stream.
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      // Any answer but the upgrade is a refusal (an ApiErrorBody).
      req.on('response', (res) => void readError(res).then(reject, reject));
      req.on('error', (err) => reject(this.unreachable(err)));
      req.end();
    });
  }

  /**
   * A one-shot run (route `tcpRun`, the run protocol on the HTTP connection itself: no
   * WebSocket library to load): makes a playground, runs `req.command` in it with the
   * caller's streams, destroys it unless `req.keep`. Resolves once the agent accepted the
   * connection; writes before then are not sent, so wait for it before passing stdin.
   */
  async run(req: RunRequest, on: RunHandlers): Promise<RunChannel> {
    const socket = await this.upgradeTcp(apiPath('tcpRun', {}));
    return runOver(socketRunLink(socket), req, on, Promise.resolve());
  }

  /** The same run over the WebSocket route `run` (for clients that speak WebSocket anyway). */
  async runOverWebSocket(req: RunRequest, on: RunHandlers): Promise<RunChannel> {
    const ws = await this.websocket(apiPath('run', {}));
    const opened = new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.on('unexpected-response', (_req, res) => void readError(res).then(reject, reject));
      ws.on('error', (err) => reject(this.unreachable(err)));
    });
    const channel = runOver(webSocketRunLink(ws), req, on, opened);
    await opened;
    return channel;
  }

  /** A WebSocket to the agent. `ws` is loaded on first use: commands that only make HTTP requests (`list`) never load it. */
  private async websocket(path: string): Promise<WebSocket> {
    const { default: WebSocketClass } = await import('ws');
    const headers = { authorization: `Bearer ${this.endpoint.token}` };
    if (this.endpoint.url.startsWith('unix:')) {
      return new WebSocketClass(`ws+unix:${this.endpoint.url.slice(5)}:${path}`, { headers, perMessageDeflate: false });
    }
    return new WebSocketClass(`${this.endpoint.url.replace(/^http/, 'ws')}${path}`, { headers, perMessageDeflate: false });
  }

  /** Sends a request; resolves with a success response, rejects with the agent's error. */
  protected raw(method: string, path: string, body?: unknown, signal?: AbortSignal, retried = false): Promise<http.IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          ...this.target(path),
          method,
          signal,
          headers: {
            authorization: `Bearer ${this.endpoint.token}`,
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => ((res.statusCode ?? 500) < 400 ? resolve(res) : void readError(res).then(reject, reject)),
      );
      req.on('error', (err: Error & { code?: string }) => {
        // A kept-alive connection the agent closed while this process was busy (its idle
        // timeout): the request never reached it, so it is sent once more on a new one.
        if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) return void this.raw(method, path, body, signal, true).then(resolve, reject);
        reject(this.unreachable(err));
      });
      req.end(payload);
    });
  }

  /** Where a request for `path` goes: the agent's unix socket or its host and port. */
  private target(path: string): http.RequestOptions {
    if (this.endpoint.url.startsWith('unix:')) return { socketPath: this.endpoint.url.slice(5), path };
    const u = new URL(path, this.endpoint.url);
    return { hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname + u.search };
  }

  private unreachable(err: Error & { code?: string }): Error {
    if (['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(err.code ?? '')) {
      return new AgentUnreachableError(this.endpoint.url, err.code!);
    }
    return err;
  }
}

/**
 * A JSON answer of the agent, typed by the route table. The agent serves that same table
 * (one build, this program), so the client does not re-validate every record it receives.
 */
function answer<T>(text: string): T {
  return parseOwnJson<T>(text);
}

async function readText(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The agent's error answer as an AgentApiError (a body that is not the API's says so). */
async function readError(res: http.IncomingMessage): Promise<AgentApiError> {
  const text = await readText(res);
  const status = res.statusCode ?? 500;
  const error = errorOf(text);
  if (error) return new AgentApiError(status, error.code, error.message);
  return new AgentApiError(status, 'bad_response', `HTTP ${status}: ${text.trim().slice(0, 200) || 'no body'}`);
}

/** The `error` of an ApiErrorBody, checked field by field (an error answer may come from anything on the way). */
function errorOf(text: string): ApiErrorBody['error'] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  if (typeof error !== 'object' || error === null || !('code' in error) || !('message' in error)) return undefined;
  const { code, message } = error;
  return isApiErrorCode(code) && typeof message === 'string' ? { code, message } : undefined;
}
