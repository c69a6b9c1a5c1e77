// A cross-process lock on a path (a directory made atomically with mkdir, holding the
// owner's pid). Image builds and snapshot creation take minutes and several agents or
// test files may want the same image at once: one builds, the others wait and reuse it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorCode } from '../../util/errors';
import { isAlive, processStartTime } from '../../util/proc';

/** The holder as written in the lock: its pid and start time (a pid alone may be reused: pid_max is often 32768). */
function holderText(): string {
  return `${process.pid} ${processStartTime(process.pid) ?? ''}`;
}

export function ownerAlive(lockDir: string): boolean {
  try {
    const [pid, start] = fs.readFileSync(path.join(lockDir, 'pid'), 'utf8').trim().split(' ').map(Number);
    if (!pid) return true; // being written right now
    if (start) return isAlive(pid, start);
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // No pid file yet (just made) counts as alive; a dead pid means a crashed holder.
    return errorCode(err) === 'ENOENT' && fs.existsSync(lockDir) && Date.now() - fs.statSync(lockDir).mtimeMs < 10_000;
  }
}

export async function withLock<T>(lockDir: string, fn: () => Promise<T>, timeoutMs = 30 * 60_000): Promise<T> {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), holderText());
      break;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      if (!ownerAlive(lockDir)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${lockDir} (held by another build)`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
