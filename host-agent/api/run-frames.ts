// The `run` WebSocket (route `run`: create a playground, run one command in it, destroy
// it): what travels in each direction. The client's first frame is the RunRequest (JSON
// text); after it, command bytes travel as binary frames whose first byte names the
// stream, and everything else as JSON text frames. No Node-only imports: the client and
// the server share it.
import type { ApiErrorCode } from './errors';
import type { PlaygroundRecord } from './records';
import type { RunRequest } from './schemas';

export type { RunRequest };

/** The first byte of a binary frame: which stream its bytes belong to. */
export const RUN_STDIN = 0;
export const RUN_STDOUT = 1;
export const RUN_STDERR = 2;

/** Text frames from the client after the request. */
export type RunControl =
  /** stdin ended. */
  | { type: 'eof' }
  /** The terminal changed size (TTY runs only). */
  | { type: 'resize'; cols: number; rows: number }
  /** Stop the command (Ctrl-C, SIGTERM): the agent ends it, destroys the playground unless `keep`, then answers `exit`. */
  | { type: 'cancel' };

/** Text frames from the agent. */
export type RunEvent =
  /** The playground exists (provisioning). */
  | { type: 'created'; playground: PlaygroundRecord }
  /** The playground is running; the command starts. */
  | { type: 'running'; playground: PlaygroundRecord }
  /**
   * The command ended (`code` as a shell reports it: 128+n for signal n; 130 when cancelled)
   * and the playground is gone, unless `kept`. The agent closes the socket after it.
   */
  | { type: 'exit'; code: number; signal?: string; kept: boolean; playground: PlaygroundRecord }
  /** The run failed before the command could end (nothing is left behind unless `keep`). */
  | { type: 'error'; code: ApiErrorCode; message: string };

/** A binary frame: the stream byte, then the bytes. */
export function dataFrame(stream: number, bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(bytes.length + 1);
  frame[0] = stream;
  frame.set(bytes, 1);
  return frame;
}

/** Exit code of a command that ended by a signal, as a shell reports it. */
export function signalExitCode(signal: string | undefined): number {
  const n = signal ? SIGNAL_NUMBERS[signal.replace(/^SIG/, '')] : undefined;
  return n === undefined ? 255 : 128 + n;
}

const SIGNAL_NUMBERS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };
