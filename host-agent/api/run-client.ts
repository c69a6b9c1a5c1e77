// The client side of the `run` WebSocket (api/run-frames.ts): sends the request, then the
// caller's stdin and control frames; hands output and events to the caller; settles with
// the `exit` event, or rejects with the agent's `error` as an AgentApiError.
import type WebSocket from 'ws';
import { AgentApiError } from './client-errors';
import type { RunControl, RunEvent, RunRequest } from './run-frames';
import { dataFrame, RUN_STDERR, RUN_STDIN, RUN_STDOUT } from './run-frames';
import { parseOwnJson } from '../util/json';

export type RunExit = Extract<RunEvent, { type: 'exit' }>;

export interface RunHandlers {
  stdout(bytes: Buffer): void;
  stderr(bytes: Buffer): void;
  /** `created`, `running` (the exit and errors settle `done`). */
  event?(e: RunEvent): void;
}

export interface RunChannel {
  /** Bytes for the command's stdin (buffered by the agent until the command starts). */
  write(bytes: Uint8Array): void;
  /** stdin ended. */
  end(): void;
  resize(cols: number, rows: number): void;
  /** Ends the command; the agent destroys the playground (unless kept) and `done` settles with exit code 130. */
  cancel(): void;
  /** The exit, once the agent has taken the playground down (unless kept). */
  readonly done: Promise<RunExit>;
}

/** Runs over `ws` (opened, not yet open); `unreachable` maps a connection error. */
export function runOver(ws: WebSocket, req: RunRequest, on: RunHandlers, opened: Promise<void>): RunChannel {
  const control = (c: RunControl) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(c));
  };
  const done = new Promise<RunExit>((resolve, reject) => {
    let settled = false;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (data[0] === RUN_STDOUT) on.stdout(data.subarray(1));
        else if (data[0] === RUN_STDERR) on.stderr(data.subarray(1));
        return;
      }
      const e = parseOwnJson<RunEvent>(data.toString('utf8'));
      if (e.type === 'exit') {
        settled = true;
        resolve(e);
      } else if (e.type === 'error') {
        settled = true;
        reject(new AgentApiError(502, e.code, e.message));
      } else on.event?.(e);
    });
    ws.on('close', (code) => {
      if (!settled) reject(new AgentApiError(502, 'bad_response', `the agent closed the run without an exit status (WebSocket close ${code})`));
    });
    opened.then(() => ws.send(JSON.stringify(req)), reject);
  });
  done.catch(() => undefined);
  return {
    write: (bytes) => {
      if (ws.readyState === ws.OPEN) ws.send(dataFrame(RUN_STDIN, bytes));
    },
    end: () => control({ type: 'eof' }),
    resize: (cols, rows) => control({ type: 'resize', cols, rows }),
    cancel: () => control({ type: 'cancel' }),
    done,
  };
}
