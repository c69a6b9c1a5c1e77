// The cross-process lock of image builds: one holder at a time, and a lock left by a dead
// holder is taken over — also when its pid now belongs to another process (pid reuse).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerAlive, withLock } from '../../../../../host-agent/images/vm/lock';
import { processStartTime } from '../../../../../host-agent/util/proc';

const dirs: string[] = [];
const lockIn = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-lock-'));
  dirs.push(dir);
  return path.join(dir, 'thing.lock');
};
const leave = (lock: string, holder: string) => {
  fs.mkdirSync(lock);
  fs.writeFileSync(path.join(lock, 'pid'), holder);
};

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('withLock', () => {
  it('runs one holder at a time and removes the lock after', async () => {
    const lock = lockIn();
    const order: string[] = [];
    const hold = (name: string) =>
      withLock(lock, async () => {
        order.push(`${name} in`);
        expect(ownerAlive(lock)).toBe(true);
        await new Promise((r) => setTimeout(r, 30));
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose pid lives on as another process (a reused pid)', async () => {
    const lock = lockIn();
    // This process is alive, but not the one that started at tick 1.
    leave(lock, `${process.pid} 1`);
    expect(ownerAlive(lock)).toBe(false);
    await expect(withLock(lock, async () => 'mine', 2000)).resolves.toBe('mine');
  });

  it('waits for a live holder, and says whom it waited for when it gives up', async () => {
    const lock = lockIn();
    leave(lock, `${process.pid} ${processStartTime(process.pid)}`);
    expect(ownerAlive(lock)).toBe(true);
    await expect(withLock(lock, async () => 'never', 600)).rejects.toThrow(`waited 0.6 s for ${lock} (held by another build)`);
  });
});
