// Runs a host tool (qemu-img, mkfs.ext4, ip, nft, nsenter …) to completion for its effect,
// not its output: stdout is dropped, stderr is kept for the error, so a failure says why.
// Asynchronous on purpose: the agent's event loop serves every SSH session.
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the command's stdin (e.g. an nft ruleset). */
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Resolves when `cmd` exits 0; otherwise rejects naming the command, its exit code and stderr. */
export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/**
 * What `cmd` prints on stdout, for a host tool asked a question (`iptables -S`, `ip addr`):
 * rejects on a non-zero exit, and kills it after `timeoutMs` — a probe must never hold up
 * a start, let alone the event loop (which spawnSync would).
 */
export function commandOutput(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 10_000, ...(opts.env ? { env: opts.env } : {}) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')}: ${signal ? `killed (${signal}) after ${opts.timeoutMs ?? 10_000} ms` : `exit ${code}`}: ${err.trim()}`)),
    );
  });
}
