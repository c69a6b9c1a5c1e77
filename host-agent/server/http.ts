// Small HTTP helpers for the agent's JSON API: bodies, replies and errors that always
// carry one code and one clear message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiProblem, type ApiErrorBody } from '../api/protocol';
import { errorMessage } from '../util/errors';

const MAX_BODY = 4 * 1024 * 1024;

/** The request body parsed as JSON; `undefined` when there is none. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_BODY) throw new ApiProblem('body_too_large', `request body over ${MAX_BODY} bytes`);
    chunks.push(bytes);
  }
  if (size === 0) return undefined;
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return body;
  } catch (err) {
    throw new ApiProblem('invalid_json', `request body is not JSON: ${errorMessage(err)}`);
  }
}

/** A JSON reply of type T already serialized (in a worker): sent as it is, never parsed or stringified again. */
export class JsonText<T = unknown> {
  /** Only for the type checker: what the text holds. */
  declare readonly of?: T;
  constructor(readonly text: string) {}
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = body instanceof JsonText ? body.text : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Any error as an API problem: ours keep their code, anything else is `internal` with its message (never a stack). */
export function asProblem(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  return new ApiProblem('internal', errorMessage(err));
}

export function errorBody(problem: ApiProblem): ApiErrorBody {
  return { error: { code: problem.code, message: problem.message } };
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const problem = asProblem(err);
  sendJson(res, problem.status, errorBody(problem));
}
