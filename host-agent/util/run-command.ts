// Runs a host tool (qemu-img, mkfs.ext4, ip, nft, nsenter, dpkg-deb …) to completion: for
// its effect (runCommand, stdout dropped) or for what it prints (commandOutput). stderr is
// kept for the error, so a failure says why. Asynchronous on purpose: the agent's event
// loop serves every SSH session, and spawnSync would stop them all while a tool runs.
import { spawn } from 'node:child_process';

/** The system tools' directories only: the agent's own PATH may point anywhere. */
export const SYSTEM_PATH_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

/** How a failure names its command: whole, unless it carries a script (`sh -c …`), which is cut. */
function shown(cmd: string, args: string[]): string {
  const line = [cmd, ...args].join(' ');
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

export interface RunOptions {
  /** Written to the command's stdin (e.g. an nft ruleset). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed after this long (a probe that must never hold up a start); no limit when unset. */
  timeoutMs?: number;
}

/** Resolves with stdout (when kept) once `cmd` exits 0; otherwise rejects naming the command, how it ended and its stderr. */
function runTool(cmd: string, args: string[], opts: RunOptions, keepStdout: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', keepStdout ? 'pipe' : 'ignore', 'pipe'],
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(out);
      const how = signal && opts.timeoutMs ? `killed (${signal}) after ${opts.timeoutMs} ms` : `exit ${code ?? signal}`;
      reject(new Error(`${shown(cmd, args)}: ${how}: ${err.trim()}`));
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** Resolves when `cmd` exits 0, for its effect. */
export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<void> {
  return runTool(cmd, args, opts, false).then(() => undefined);
}

/** What `cmd` prints on stdout, for a host tool asked a question (`iptables -S`, `ip addr`, `apt-cache depends`). */
export function commandOutput(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return runTool(cmd, args, opts, true);
}
