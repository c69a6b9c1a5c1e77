// Runs contents.ts in a worker thread (dist/snapshot-worker.js, built beside sandlot.js):
// reading every file of a large snapshot takes seconds, and the agent keeps serving SSH
// sessions and API calls meanwhile.
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

function runJob(job: ContentsJob): Promise<ContentsReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript());
    worker.postMessage(job);
    let answered = false;
    worker.once('message', (reply: ContentsReply) => {
      answered = true;
      resolve(reply);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the snapshot worker exited (code ${code}) without an answer`));
    });
  });
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
