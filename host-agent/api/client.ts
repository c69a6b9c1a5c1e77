// Typed client of the agent API, shared by the CLI and the VS Code extension. Pure
// JavaScript (node:http + ws): it must run in Electron's Node without native modules.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { createWebSocketStream } from 'ws';
import {
  ROUTES,
  type AgentInfo,
  type ApiError,
  type CreatePlaygroundRequest,
  type ExecChunk,
  type ExecRequest,
  type PlaygroundEvent,
  type PlaygroundRecord,
  type SshKeyResponse,
  type TemplateSummary,
  type ContentSummary,
  type StartContentRequest,
  type TaskRecord,
  type MachineChangedRequest,
  type MachineChangedResponse,
} from './protocol';
import type { Content } from '../content/model';
import { parseOwnJson } from '../util/json';

/** A chunk of an HTTP body stream (Buffers unless an encoding was set). */
function bytesOf(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
}

/** A WebSocket message's text, whatever form ws delivered it in. */
function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}

export interface AgentEndpoint {
  /** `http://127.0.0.1:PORT` or `unix:/path/to/agent.sock`. */
  url: string;
  token: string;
}

export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentApiError';
  }
}

/** No agent answered at the address (refused, missing socket, timed out). */
export class AgentUnreachableError extends Error {
  constructor(url: string, cause: string) {
    super(`no Sandlot agent answers at ${url} (${cause}); start one with: sandlot agent`);
    this.name = 'AgentUnreachableError';
  }
}

export class AgentClient {
  constructor(readonly endpoint: AgentEndpoint) {}

  info(): Promise<AgentInfo> {
    return this.request('GET', ROUTES.info());
  }
  templates(): Promise<TemplateSummary[]> {
    return this.request('GET', ROUTES.templates());
  }
  list(): Promise<PlaygroundRecord[]> {
    return this.request('GET', ROUTES.playgrounds());
  }
  get(id: string): Promise<PlaygroundRecord> {
    return this.request('GET', ROUTES.playground(id));
  }
  create(req: CreatePlaygroundRequest): Promise<PlaygroundRecord> {
    return this.request('POST', ROUTES.playgrounds(), req);
  }
  // Content and tasks (issue 4).
  builtinContent(): Promise<ContentSummary[]> {
    return this.request('GET', ROUTES.content());
  }
  startContent(req: StartContentRequest): Promise<PlaygroundRecord> {
    return this.request('POST', ROUTES.content(), req);
  }
  content(id: string): Promise<Content> {
    return this.request('GET', ROUTES.playgroundContent(id));
  }
  contentAction(id: string, action: 'stop' | 'restart'): Promise<PlaygroundRecord> {
    return this.request('POST', ROUTES.contentAction(id, action));
  }
  tasks(id: string): Promise<Record<string, TaskRecord>> {
    return this.request('GET', ROUTES.tasks(id));
  }
  submitTaskInput(id: string, task: string, value: string): Promise<TaskRecord> {
    return this.request('POST', ROUTES.taskInput(id, task), { value });
  }
  /** Something changed in a machine: its playground's pending checks run now. */
  machineChanged(id: string, machine: string, req: MachineChangedRequest = {}): Promise<MachineChangedResponse> {
    return this.request('POST', ROUTES.machineChanged(id, machine), req);
  }
  stop(id: string): Promise<PlaygroundRecord> {
    return this.request('POST', ROUTES.action(id, 'stop'));
  }
  start(id: string): Promise<PlaygroundRecord> {
    return this.request('POST', ROUTES.action(id, 'start'));
  }
  restart(id: string): Promise<PlaygroundRecord> {
    return this.request('POST', ROUTES.action(id, 'restart'));
  }
  extend(id: string, minutes: number): Promise<PlaygroundRecord> {
    return this.request('POST', ROUTES.action(id, 'extend'), { minutes });
  }
  destroy(id: string): Promise<{ id: string; state: 'destroyed' }> {
    return this.request('DELETE', ROUTES.playground(id));
  }
  sshKey(id: string): Promise<SshKeyResponse> {
    return this.request('GET', ROUTES.sshKey(id));
  }
  memory(id: string): Promise<Record<string, number>> {
    return this.request('GET', `${ROUTES.playground(id)}/memory`);
  }

  /** Runs a command in a machine; output arrives through `onChunk`; resolves with the exit. */
  async exec(id: string, machine: string, req: ExecRequest, onChunk: (c: ExecChunk) => void): Promise<Extract<ExecChunk, { type: 'exit' }>> {
    const res = await this.raw('POST', ROUTES.exec(id, machine), req);
    let buffered = '';
    let exit: Extract<ExecChunk, { type: 'exit' }> | undefined;
    for await (const chunk of res) {
      buffered += bytesOf(chunk).toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const c = parseOwnJson<ExecChunk>(line);
        if (c.type === 'exit') exit = c;
        else if (c.type === 'error') throw new AgentApiError(500, 'exec_failed', c.message);
        else onChunk(c);
      }
    }
    if (!exit) throw new AgentApiError(500, 'exec_failed', 'the agent ended the exec stream without an exit status');
    return exit;
  }

  /** Follows a playground's event stream. The returned function stops following. */
  events(id: string, onEvent: (e: PlaygroundEvent) => void, onClose?: (code: number, reason: string) => void): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const ws = this.websocket(ROUTES.events(id));
      let opened = false;
      ws.on('open', () => {
        opened = true;
        resolve(() => ws.close());
      });
      ws.on('message', (data) => onEvent(parseOwnJson<PlaygroundEvent>(rawText(data))));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(new AgentApiError(res.statusCode ?? 500, 'refused', body.trim() || `event stream refused: HTTP ${res.statusCode}`)));
      });
      ws.on('error', (err) => (opened ? undefined : reject(this.unreachable(err))));
      ws.on('close', (code, reason) => onClose?.(code, reason.toString()));
    });
  }

  /** Raw bytes to a TCP port of a machine, through the agent. */
  tunnel(id: string, machine: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const ws = this.websocket(ROUTES.tunnel(id, machine, port));
      ws.on('open', () => {
        const stream = createWebSocketStream(ws);
        ws.removeAllListeners('error');
        resolve(stream);
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(new AgentApiError(res.statusCode ?? 500, 'refused', body.trim() || `tunnel refused: HTTP ${res.statusCode}`)));
      });
      ws.on('error', (err) => reject(this.unreachable(err)));
    });
  }

  private websocket(path: string): WebSocket {
    const headers = { authorization: `Bearer ${this.endpoint.token}` };
    if (this.endpoint.url.startsWith('unix:')) {
      return new WebSocket(`ws+unix:${this.endpoint.url.slice(5)}:${path}`, { headers, perMessageDeflate: false });
    }
    return new WebSocket(`${this.endpoint.url.replace(/^http/, 'ws')}${path}`, { headers, perMessageDeflate: false });
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(bytesOf(c));
    return parseOwnJson<T>(Buffer.concat(chunks).toString('utf8'));
  }

  private raw(method: string, path: string, body?: unknown): Promise<http.IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const target = this.endpoint.url.startsWith('unix:')
      ? { socketPath: this.endpoint.url.slice(5), path }
      : (() => {
          const u = new URL(path, this.endpoint.url);
          return { hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname + u.search };
        })();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          ...target,
          method,
          headers: {
            authorization: `Bearer ${this.endpoint.token}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          if ((res.statusCode ?? 500) < 400) return resolve(res);
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              const e = parseOwnJson<ApiError>(text);
              reject(new AgentApiError(res.statusCode!, e.error.code, e.error.message));
            } catch {
              reject(new AgentApiError(res.statusCode!, 'http_error', `HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('error', (err) => reject(this.unreachable(err)));
      req.end(payload);
    });
  }

  private unreachable(err: Error & { code?: string }): Error {
    if (['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(err.code ?? '')) {
      return new AgentUnreachableError(this.endpoint.url, err.code!);
    }
    return err;
  }
}
