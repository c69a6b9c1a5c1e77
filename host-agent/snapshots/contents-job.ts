// Runs contents.ts in a worker thread (dist/snapshot-worker.js, built beside sandlot.js):
// reading every file of a large snapshot takes seconds, and the agent keeps serving SSH
// sessions and API calls meanwhile. The thread is kept between jobs (SnapshotWorker).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '../util/paths';
import type { Listing } from './contents';

export type ContentsJob = { op: 'list' | 'fingerprint'; dir: string; exclude: string[] };
export type ContentsReply = { ok: true; listing?: Listing; fingerprint: string } | { ok: false; error: string };

export const SNAPSHOT_WORKER_BUNDLE = 'snapshot-worker.js';

function workerScript(): string {
  const beside = path.join(__dirname, SNAPSHOT_WORKER_BUNDLE);
  if (fs.existsSync(beside)) return beside;
  const built = path.join(repoRoot(), 'dist', SNAPSHOT_WORKER_BUNDLE);
  if (fs.existsSync(built)) return built;
  throw new Error(`the snapshot worker ${built} is missing: run npm run build`);
}

/** How long the thread stays after its last job. */
const IDLE_MS = 30_000;

/**
 * One worker thread for every job, one job at a time, kept for a while after the last: a
 * thread takes tens of milliseconds to start, and every fork checks its snapshot first.
 * It does not keep the agent alive (unref), and ends after IDLE_MS without a job.
 */
class SnapshotWorker {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Timeout | undefined;

  run(job: ContentsJob): Promise<ContentsReply> {
    const next = this.queue.then(() => this.runNow(job));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runNow(job: ContentsJob): Promise<ContentsReply> {
    clearTimeout(this.idle);
    const worker = this.worker ?? this.start();
    return new Promise((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: ContentsReply) => {
        done();
        this.idle = setTimeout(() => this.drop(), IDLE_MS).unref();
        resolve(reply);
      };
      const onError = (err: Error) => {
        done();
        this.drop();
        reject(err);
      };
      const onExit = (code: number) => {
        done();
        this.worker = undefined;
        reject(new Error(`the snapshot worker exited (code ${code}) without an answer`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job);
    });
  }

  private start(): Worker {
    const worker = new Worker(workerScript());
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private drop(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

const snapshotWorker = new SnapshotWorker();

function runJob(job: ContentsJob): Promise<ContentsReply> {
  return snapshotWorker.run(job);
}

/** The listing of a snapshot's tree, and its fingerprint taken just before, read in a worker thread. */
export async function listInWorker(dir: string, exclude: string[]): Promise<{ listing: Listing; fingerprint: string }> {
  const reply = await runJob({ op: 'list', dir, exclude });
  if (!reply.ok) throw new Error(reply.error);
  if (!reply.listing) throw new Error('the snapshot worker answered no listing');
  return { listing: reply.listing, fingerprint: reply.fingerprint };
}

/** The stat fingerprint of a snapshot's tree, taken in a worker thread. */
export async function fingerprintInWorker(dir: string, exclude: string[]): Promise<string> {
  const reply = await runJob({ op: 'fingerprint', dir, exclude });
  if (!reply.ok) throw new Error(reply.error);
  return reply.fingerprint;
}
