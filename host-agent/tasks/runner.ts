// The task engine's only way into a machine: run a script as a user with some
// environment, get its exit code and output. The agent implements it over its
// per-machine SSH connection (ssh-runner.ts); tests can run scripts locally.

export interface ScriptRequest {
  machine: string;
  user: string;
  /** Complete program text (helper library included); run with bash, or sh without bash. */
  program: string;
  /** Kill the script after this long; the result then has `timedOut`. */
  timeoutMs: number;
  /**
   * SSH runners: the program is the SSH command itself, run by the user's login shell —
   * no wrapper choosing bash and no `timeout` inside the machine (the runner's own timer
   * still closes the channel); two process starts fewer, for short POSIX-shell programs.
   */
  direct?: boolean;
  signal?: AbortSignal;
}

export interface ScriptResult {
  /** null when the script was killed (timeout, abort, lost connection). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  /** The script could not be started or its connection broke (not the script's fault). */
  error?: string;
}

export interface ScriptRunner {
  run(req: ScriptRequest): Promise<ScriptResult>;
  /** Drops cached connections (machine stopped, playground destroyed). */
  close?(): void;
}

/** Output kept per stream: enough for hints and `x(.needs…)` values, bounded for the state file. */
export const OUTPUT_LIMIT = 16 * 1024;

/** Keeps the last `limit` characters: the end of a log says what went wrong. */
export function tail(text: string, limit = OUTPUT_LIMIT): string {
  return text.length <= limit ? text : text.slice(text.length - limit);
}

/**
 * The remote command that runs `program`: the text travels base64-encoded in the command
 * line (no quoting issues, stdin stays free for the script), and bash is preferred.
 */
export function remoteCommand(program: string, timeoutSeconds?: number): string {
  const b64 = Buffer.from(program, 'utf8').toString('base64');
  // `timeout` kills the script inside the machine even when the SSH server ignores
  // channel signals; it fires a second after the runner's own timer.
  const limit = timeoutSeconds !== undefined ? `command -v timeout >/dev/null 2>&1 && T="timeout -s KILL ${Math.ceil(timeoutSeconds) + 1}"; ` : '';
  return `S=sh; command -v bash >/dev/null 2>&1 && S=bash; T=; ${limit}exec $T $S -c "$(printf %s '${b64}' | base64 -d)" sandlot-task`;
}
