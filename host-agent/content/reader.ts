// Reads content in a worker thread with a heap limit and a deadline, so the agent's event
// loop never blocks on content: before this, one 27 MB step stalled every SSH session the
// agent serves for minutes, then the agent died of an exhausted heap. A worker that runs
// out of time is terminated; one that runs out of memory dies alone; either way the caller
// gets one clear problem line. At most two readers run at once (the rest wait their turn).
// The deadline counts the worker thread's processor time: the thread runs at a low
// priority, so on a busy host its wall time says more about the host than the content.
import type { TemplateLookup } from '../playgrounds/catalog';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorCode, errorMessage } from '../util/errors';
import { repoRoot } from '../util/paths';
import { CONTENT_LIMITS, type ContentLimits } from './limits';
import type { CatalogSnapshot, ReadReply, ReadRequest, ReadResult } from './reader-protocol';
import type { PlaygroundManifest } from '../manifests/schema';

/** File name of the bundled worker (esbuild.mjs builds it next to dist/sandlot.js). */
export const READER_BUNDLE = 'content-worker.js';
const MAX_READERS = 2;
/** How often the worker's processor time is looked at. */
const CPU_POLL_MS = 200;
/** Wall time allowed per unit of processor time allowed (a busy host, a niced thread). */
const WALL_FACTOR = 4;

/** Processor time (user + system) of one thread of this process, in ms; undefined without /proc. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** The worker script: beside this bundle, else the checkout's dist/ (sources run by tests and benches). */
export function readerScript(): string {
  const beside = path.join(__dirname, READER_BUNDLE);
  if (fs.existsSync(beside)) return beside;
  const built = path.join(repoRoot(), 'dist', READER_BUNDLE);
  if (fs.existsSync(built)) return built;
  throw new Error(`the content reader ${built} is missing: run npm run build`);
}

export function catalogSnapshot(catalog: TemplateLookup): CatalogSnapshot {
  return Object.fromEntries(catalog.names().flatMap((n) => (catalog.machines(n) ? [[n, catalog.machines(n)!]] : [])));
}

export interface ReadOptions {
  library?: string[];
  /** Template manifests by name (playground checks); without them only template and machine names are checked. */
  templates?: Record<string, PlaygroundManifest>;
  limits?: ContentLimits;
  mode?: ReadRequest['mode'];
}

let running = 0;
const waiting: (() => void)[] = [];

async function turn<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_READERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Reads content folders in one worker; each folder gets its document or its problems. */
export function readInWorker(dirs: string[], catalog: TemplateLookup, opts: ReadOptions = {}): Promise<ReadResult[]> {
  const limits = opts.limits ?? CONTENT_LIMITS;
  const req: ReadRequest = {
    dirs,
    catalog: catalogSnapshot(catalog),
    templates: opts.templates ?? {},
    library: opts.library ?? [],
    mode: opts.mode ?? 'full',
    limits,
  };
  const failAll = (message: string): ReadResult[] => dirs.map((dir) => ({ dir, problems: [{ file: dir, message }] }));
  return turn(
    () =>
      new Promise<ReadResult[]>((resolve) => {
        let worker: Worker;
        try {
          worker = new Worker(readerScript(), {
            resourceLimits: { maxOldGenerationSizeMb: limits.parseHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
            // The worker needs no environment of its own; a hostile markdown file gets nothing to read from it.
            env: {},
            stdout: false,
            stderr: false,
          });
        } catch (err) {
          resolve(failAll(`cannot start the content reader: ${errorMessage(err)}`));
          return;
        }
        let done = false;
        let tid = 0;
        const finish = (results: ReadResult[]) => {
          if (done) return;
          done = true;
          clearInterval(poll);
          clearTimeout(wall);
          void worker.terminate();
          resolve(results);
        };
        // Time for the whole batch: a list reads front matter only, so it stays well inside.
        const budget = limits.parseMs * Math.max(1, req.mode === 'summary' ? 1 : dirs.length);
        const tooSlow = (what: string) =>
          finish(failAll(`reading the content took ${what} (the limit), so it was stopped: it is too large or too complex to parse`));
        const started = Date.now();
        const poll = setInterval(() => {
          const cpu = tid ? threadCpuMs(tid) : undefined;
          if (cpu !== undefined ? cpu > budget : Date.now() - started > budget) tooSlow(`more than ${Math.round(budget / 1000)} s of processor time`);
        }, CPU_POLL_MS);
        const wall = setTimeout(() => tooSlow(`longer than ${Math.round((budget * WALL_FACTOR) / 1000)} s`), budget * WALL_FACTOR);
        worker.on('message', (reply: ReadReply) => {
          if (reply.kind === 'started') tid = reply.tid;
          else finish(reply.ok ? reply.results : failAll(`cannot read the content: ${reply.error}`));
        });
        worker.once('error', (err) => {
          const oom = errorCode(err) === 'ERR_WORKER_OUT_OF_MEMORY';
          finish(
            failAll(
              oom
                ? `reading the content needed more than ${limits.parseHeapMb} MB of memory (the limit), so it was stopped: it is too large or too complex to parse`
                : `the content reader failed: ${errorMessage(err)}`,
            ),
          );
        });
        worker.once('exit', (code) => finish(failAll(`the content reader stopped unexpectedly (exit code ${code})`)));
        worker.postMessage(req);
      }),
  );
}

/** Reads one content folder in a worker. */
export async function readOneInWorker(dir: string, catalog: TemplateLookup, opts: ReadOptions = {}): Promise<ReadResult> {
  return (await readInWorker([dir], catalog, opts))[0];
}
