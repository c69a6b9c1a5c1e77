// Small HTTP helpers for the agent's JSON API: bodies, replies and errors that always
// carry one clear message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from '../api/protocol';
import { ApiProblem } from '../playgrounds/manager';

const MAX_BODY = 4 * 1024 * 1024;

export async function readJsonBody<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiProblem(413, 'too_large', `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {} as T;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch (err) {
    throw new ApiProblem(400, 'invalid_json', `request body is not JSON: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const problem = err instanceof ApiProblem ? err : new ApiProblem(500, 'internal', (err as Error)?.message ?? String(err));
  const body: ApiError = { error: { code: problem.code, message: problem.message } };
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, problem.status, body);
}
