// Entry point of the content reader worker (bundled as dist/content-worker.js): reads the
// content folders it is asked for and answers once. It runs with a heap limit and is
// terminated when it takes too long (reader.ts), so nothing here guards time or memory.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../util/errors';
import { lookupFromMap, type TemplateLookup } from '../playgrounds/catalog';
import { headerOf, readDocument, readSummary, type ReadContext } from './load';
import { ContentFileError, ContentFiles } from './files';
import { contentMeta, isRunnable } from './model';
import { findSolutions } from './solution';
import type { ReadReply, ReadRequest, ReadResult } from './reader-protocol';

function readFull(dir: string, catalog: TemplateLookup, ctx: ReadContext, withSolutions = false): Omit<ReadResult, 'dir'> {
  const { document, problems } = readDocument(dir, catalog, ctx);
  if (!document) return { problems };
  const result: Omit<ReadResult, 'dir'> = { problems, header: headerOf(document), json: JSON.stringify(document) };
  if (!isRunnable(document)) return result;
  result.meta = contentMeta(document);
  if (withSolutions) {
    try {
      result.solutions = findSolutions(new ContentFiles(document.dir, ctx.limits ? { limits: ctx.limits } : {}), document);
    } catch (err) {
      // The folder itself went away since it was read.
      if (!(err instanceof ContentFileError)) throw err;
      problems.push({ file: err.rel, message: err.message });
    }
  }
  return result;
}

const port = parentPort;
if (!port) throw new Error('reader-worker.ts runs as a worker thread only');

// This thread parses; the agent's main thread serves every SSH session and terminal. On a
// busy host the parse must yield the CPU to it, so this thread alone (Linux: a thread id
// is a valid setpriority target) runs at nice 10: about a ninth of the main thread's share
// when both want the CPU, without starving the parse behind every other process of the
// host as nice 19 would. Lowering needs no privilege.
let tid = 0;
try {
  tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, 10);
} catch {
  /* not Linux, or no /proc: the parse runs at normal priority, timed by the wall clock */
}
port.postMessage({ kind: 'started', tid } satisfies ReadReply);

port.once('message', (req: ReadRequest) => {
  let reply: ReadReply;
  try {
    const catalog = lookupFromMap(req.catalog);
    const read = req.mode === 'summary' ? readSummary : (d: string, c: TemplateLookup, x: ReadContext) => readFull(d, c, x, req.mode === 'test');
    const ctx: ReadContext = { library: req.library, limits: req.limits, ...(Object.keys(req.templates).length > 0 ? { templates: req.templates } : {}) };
    reply = { kind: 'done', ok: true, results: req.dirs.map((dir) => ({ dir, ...read(dir, catalog, ctx) })) };
  } catch (err) {
    reply = { kind: 'done', ok: false, error: errorMessage(err) };
  }
  port.postMessage(reply);
});
