// The content reader worker (the built dist/content-worker.js) with its limits: a read
// that runs past its deadline is stopped, one that runs out of heap dies alone, each with
// one line; this thread's event loop keeps running meanwhile.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { templateLookup } from '../../../helpers/template-lookup';
import { formatProblem } from '../../../../host-agent/content/errors';
import { builtinContentDir } from '../../../../host-agent/content/library';
import { CONTENT_LIMITS } from '../../../../host-agent/content/limits';
import { readInWorker, readOneInWorker } from '../../../../host-agent/content/reader';

const catalog = templateLookup({ linux: ['dev'], docker: ['dev'], zig: ['dev'] });
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-reader-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A tutorial whose body is `unit` repeated to about `bytes`, in paragraphs of about 24 KiB. */
function tutorial(name: string, unit: string, bytes: number): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  let body = '';
  let para = '';
  while (body.length + para.length < bytes) {
    para += unit;
    if (para.length > 24 * 1024) {
      body += `${para}\n\n`;
      para = '';
    }
  }
  fs.writeFileSync(path.join(dir, 'index.md'), `---\nkind: tutorial\ntitle: Big\nplayground: { name: linux }\n---\n${body}${para}`);
  return dir;
}

describe('content reader worker', () => {
  it('reads content and hands back its document as JSON text', async () => {
    const r = await readOneInWorker(path.join(builtinContentDir(), 'linux-basics'), catalog);
    expect(r.problems).toEqual([]);
    expect(r.meta).toMatchObject({ name: 'linux-basics', kind: 'challenge', playground: { template: 'linux' } });
    expect(JSON.parse(r.json!)).toMatchObject({ name: 'linux-basics', pages: [{ title: r.meta!.title }] });
  });

  it('stops a read past its processor-time deadline with one line, and the event loop here keeps running', async () => {
    const dir = tutorial('slow', 'Lorem **ipsum** dolor `sit` amet a_b *c*.\n', 250 * 1024);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const t0 = Date.now();
    const [r] = await readInWorker([dir], catalog, { limits: { ...CONTENT_LIMITS, parseMs: 700 } });
    lag.disable();
    // Processor time, or on a host too busy to give the low-priority thread any, the wall-clock backstop.
    expect(r.problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${dir}: reading the content took (more than 1 s of processor time|longer than 3 s) \\(the limit\\), so it was stopped: it is too large or too complex to parse$`,
        ),
      ),
    ]);
    expect(Date.now() - t0).toBeLessThan(5000);
    // The histogram holds timer intervals of 10 ms plus the delay.
    expect(lag.percentile(50) / 1e6).toBeLessThan(30);
  });

  it('stops a read that needs more heap than allowed, and the next read works', async () => {
    const dir = tutorial('hungry', 'Lorem **ipsum** dolor `sit` amet.\n\n', 250 * 1024);
    const [r] = await readInWorker([dir], catalog, { limits: { ...CONTENT_LIMITS, parseHeapMb: 24 } });
    expect(r.problems.map(formatProblem)).toEqual([
      `${dir}: reading the content needed more than 24 MB of memory (the limit), so it was stopped: it is too large or too complex to parse`,
    ]);
    const ok = await readOneInWorker(dir, catalog);
    expect(ok.problems).toEqual([]);
    expect(ok.meta?.pageCount).toBe(1);
  }, 60_000);

  it('refuses a file over the size cap and a paragraph over the paragraph cap without parsing them', async () => {
    const big = path.join(root, 'huge');
    fs.mkdirSync(big);
    fs.writeFileSync(path.join(big, 'index.md'), `---\nkind: tutorial\ntitle: Huge\nplayground: { name: linux }\n---\n${'word '.repeat(6 * 1024 * 1024)}`);
    const long = path.join(root, 'long-paragraph');
    fs.mkdirSync(long);
    fs.writeFileSync(
      path.join(long, 'index.md'),
      `---\nkind: tutorial\ntitle: Long\nplayground: { name: linux }\n---\nIntro.\n\n${'words and more words\n'.repeat(3000)}`,
    );
    const t0 = Date.now();
    const [a, b] = await readInWorker([big, long], catalog);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(a.problems.map(formatProblem)).toEqual([`${big}/index.md: "index.md" is 30 MiB, more than the 256 KiB a markdown or JSON file may have`]);
    expect(b.problems.map(formatProblem)).toEqual([
      `${long}/index.md: line 8: lines 8–3007 hold 61.5 KiB without a blank line, more than the 32 KiB one paragraph may have (split it with blank lines)`,
    ]);
  });
});
