// The snapshot worker thread (bundled as dist/snapshot-worker.js): lists or fingerprints a
// snapshot's tree (contents.ts) off the agent's event loop. Jobs come one at a time (the
// agent keeps the thread between forks); each answer is one message.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../util/errors';
import { fingerprintTree, listTree } from './contents';
import type { ContentsJob, ContentsReply } from './contents-job';

const port = parentPort;
if (!port) throw new Error('contents-worker.ts runs as a worker thread only');

// Hashing a large snapshot keeps a core busy for seconds: on a busy host the agent's main
// thread (SSH sessions, terminals) goes first. This thread alone runs at nice 10.
try {
  const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, 10);
} catch {
  /* no /proc: normal priority */
}

port.on('message', (job: ContentsJob) => {
  let reply: ContentsReply;
  try {
    // The fingerprint first: a write racing the listing then changes the next fingerprint, and the next fork reads everything again.
    const fingerprint = fingerprintTree(job.dir, job.exclude);
    reply = job.op === 'list' ? { ok: true, fingerprint, listing: listTree(job.dir, job.exclude) } : { ok: true, fingerprint };
  } catch (err) {
    reply = { ok: false, error: errorMessage(err) };
  }
  port.postMessage(reply);
});
