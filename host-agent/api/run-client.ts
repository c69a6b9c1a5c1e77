// The client side of a run (api/run-frames.ts), over either link (run-link.ts): sends the
// request, then the caller's stdin and control frames; hands output and events to the
// caller; settles with the `exit` event, or rejects with the agent's `error` as an AgentApiError.
import { AgentApiError } from './client-errors';
import type { RunControl, RunEvent, RunRequest } from './run-frames';
import { dataFrame, RUN_STDERR, RUN_STDIN, RUN_STDOUT } from './run-frames';
import type { RunLink } from './run-link';
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

/** Runs over `link` (opened, not yet open: nothing is sent before `opened`). */
export function runOver(link: RunLink, req: RunRequest, on: RunHandlers, opened: Promise<void>): RunChannel {
  const control = (c: RunControl) => {
    if (link.open) link.send({ text: JSON.stringify(c) });
  };
  const done = new Promise<RunExit>((resolve, reject) => {
    let settled = false;
    link.onMessage(({ text, bytes }) => {
      if (settled) return;
      if (!text) {
        if (bytes[0] === RUN_STDOUT) on.stdout(bytes.subarray(1));
        else if (bytes[0] === RUN_STDERR) on.stderr(bytes.subarray(1));
        return;
      }
      const e = parseOwnJson<RunEvent>(bytes.toString('utf8'));
      if (e.type === 'exit') {
        settled = true;
        resolve(e);
      } else if (e.type === 'error') {
        settled = true;
        reject(new AgentApiError(502, e.code, e.message));
      } else on.event?.(e);
    });
    link.onClose((detail) => {
      if (!settled) reject(new AgentApiError(502, 'bad_response', `the agent closed the run without an exit status (${detail})`));
      settled = true;
    });
    opened.then(() => link.send({ text: JSON.stringify(req) }), reject);
  });
  done.catch(() => undefined);
  return {
    write: (bytes) => {
      if (link.open) link.send({ data: dataFrame(RUN_STDIN, bytes) });
    },
    end: () => control({ type: 'eof' }),
    resize: (cols, rows) => control({ type: 'resize', cols, rows }),
    cancel: () => control({ type: 'cancel' }),
    done,
  };
}
