import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintInWorker, listInWorker } from '../../../../host-agent/snapshots/contents-job';
import { fingerprintTree, listTree } from '../../../../host-agent/snapshots/contents';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'contents-job-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

// The worker thread is kept between jobs: answers must still go to the job that asked.
describe('snapshot jobs in the kept worker thread', () => {
  it('answers jobs given at once each with its own tree, in the worker as on the main thread', async () => {
    const a = tree('a', { 'x.txt': 'one', 'd/y.txt': 'two' });
    const b = tree('b', { 'z.txt': 'three' });
    const [fa, lb, fb] = await Promise.all([fingerprintInWorker(a, []), listInWorker(b, []), fingerprintInWorker(b, [])]);
    expect(fa).toBe(fingerprintTree(a));
    expect(fb).toBe(fingerprintTree(b));
    expect(lb.listing).toEqual(listTree(b));
    expect(fa).not.toBe(fb);
  });

  it('says what is wrong with a job in one line, and the next job still runs', async () => {
    const missing = path.join(root, 'nope');
    await expect(fingerprintInWorker(missing, [])).rejects.toThrow(/nope/);
    const c = tree('c', { 'w.txt': 'four' });
    expect(await fingerprintInWorker(c, [])).toBe(fingerprintTree(c));
  });
});
