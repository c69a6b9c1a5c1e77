// One agent per state directory: `$SANDLOT_HOME/agent.lock`, locked with flock(2) for
// the agent's whole life, from its first moment (before it listens) to its exit. Node
// has no flock, so a small `flock … cat` child holds it: the lock lives as long as that
// child, which lives as long as its stdin pipe from the agent, i.e. until the agent
// exits or dies (the kernel closes the pipe then). No fixed name outside the state
// directory, whose mode (0700) keeps other users out.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Socket } from 'node:net';
import * as path from 'node:path';

/** `sandlot agent`'s exit code when another agent holds the state directory (EX_TEMPFAIL). */
export const EXIT_AGENT_RUNNING = 75;

export class StateLockedError extends Error {
  constructor(
    readonly home: string,
    readonly holder: number | undefined,
  ) {
    super(
      `another agent${holder ? ` (pid ${holder})` : ''} already serves ${home}; stop it first (or use another SANDLOT_HOME). Clients find it through ${path.join(home, 'agent.json')}`,
    );
    this.name = 'StateLockedError';
  }
}

export interface StateLock {
  /** Whether the lock is enforced (false where flock(1) is missing; the log says so). */
  readonly enforced: boolean;
  release(): void;
}

export function lockFile(home: string): string {
  return path.join(home, 'agent.lock');
}

/** The pid the current (or last) holder wrote into the lock file. */
function writtenPid(home: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(lockFile(home), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the state directory's lock, or throws StateLockedError naming the agent that has it. */
export function acquireStateLock(home: string, log: (level: 'warn', message: string) => void): Promise<StateLock> {
  const file = lockFile(home);
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--nonblock', '--conflict-exit-code', String(EXIT_AGENT_RUNNING), file, 'sh', '-c', 'echo locked && exec cat'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let settled = false;
    let released = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (settled || !out.includes('locked')) return;
      settled = true;
      // Written in place (not replaced): the lock belongs to the file's inode.
      fs.writeFileSync(file, `${process.pid}\n`);
      // The agent's exit must not wait for its lock holder, nor die of it: a holder that
      // is killed (someone's pkill) is reported, and the agent carries on without the lock.
      child.unref();
      child.stdin.on('error', () => undefined);
      child.once('exit', (code, signal) => {
        if (!released) log('warn', `the lock on ${home} was lost (its flock process ended: ${signal ?? `exit ${code}`}); another agent could start on it`);
      });
      for (const s of [child.stdin, child.stdout, child.stderr]) if (s instanceof Socket) s.unref();
      resolve({
        enforced: true,
        release: () => {
          released = true;
          child.stdin.end();
        },
      });
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (e.code !== 'ENOENT') return reject(new Error(`cannot lock ${file}: ${e.message}`));
      log('warn', `flock(1) is not installed (Debian package util-linux): a second agent on ${home} is not refused`);
      resolve({ enforced: false, release: () => undefined });
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      if (code === EXIT_AGENT_RUNNING) reject(new StateLockedError(home, writtenPid(home)));
      else reject(new Error(`cannot lock ${file}: ${err.trim() || `flock exited with ${code}`}`));
    });
  });
}

/**
 * Whether an agent (starting or running) holds the state directory's lock, and its pid
 * when it wrote it already. For clients deciding between waiting and starting one. Reads
 * /proc/locks rather than trying the lock itself: a probe holding it even briefly would
 * make an agent starting at that moment refuse to start.
 */
export function stateLockHolder(home: string): { pid: number | undefined } | undefined {
  let st: fs.Stats;
  let locks: string;
  try {
    st = fs.statSync(lockFile(home));
    locks = fs.readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of locks.split('\n')) {
    // `1: FLOCK  ADVISORY  WRITE 6771 fe:00:2147028 0 EOF` (device major:minor in hex, then the inode)
    const m = /^\d+: FLOCK\s+\S+\s+WRITE\s+\S+\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (!m) continue;
    const major = parseInt(m[1], 16);
    const minor = parseInt(m[2], 16);
    const dev = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
    if (Number(m[3]) === st.ino && dev === st.dev) return { pid: writtenPid(home) };
  }
  return undefined;
}
