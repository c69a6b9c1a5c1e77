// `sandlot content start <dir> --watch`: the author's loop. Every save in the content
// folder reloads the content of the running playground in place (the agent keeps what is
// unchanged and done); content with problems is not loaded and the running version stays,
// with every problem printed. Task changes are printed as they come, until Ctrl-C (the
// playground keeps running).
import type { AgentClient } from '../api/client';
import { isApiError } from '../api/client';
import type { PlaygroundRecord } from '../api/protocol';
import { watchContentFolder } from '../content/folder-watch';
import { errorMessage } from '../util/errors';
import { describeTask } from './commands/tasks';

export async function watchAndReload(c: AgentClient, record: PlaygroundRecord, say: (line: string) => void): Promise<void> {
  const dir = record.content?.source;
  if (!dir) throw new Error(`playground ${record.id} runs no content`);
  const shown = new Map<string, string>();
  const events = c.follow(record.id, (e) => {
    if (e.type === 'task' && e.task.kind === 'regular' && !e.task.hidden) {
      const line = describeTask(e.task);
      // One line per change a reader cares about, not one per check run.
      if (shown.get(e.task.name) !== e.task.status && e.task.status !== 'running') say(`  ${line}`);
      shown.set(e.task.name, e.task.status);
    } else if (e.type === 'content') {
      say(`content ${e.state}${e.message ? `: ${e.message}` : ''}`);
    } else if (e.type === 'snapshot') {
      shown.clear();
      for (const t of Object.values(e.playground.tasks ?? {})) shown.set(t.name, t.status);
    }
  });
  await events.opened;
  const watch = watchContentFolder(dir, async (files) => {
    try {
      const r = await c.reloadContent(record.id);
      const tasks = Object.values(r.tasks ?? {}).filter((t) => t.kind === 'regular' && !t.hidden);
      const done = tasks.filter((t) => t.status === 'completed').length;
      say(`reloaded after ${files.join(', ')} changed (revision ${r.content?.revision ?? 0}): ${done}/${tasks.length} tasks done`);
    } catch (err) {
      if (!isApiError(err, 'invalid_content') && !isApiError(err, 'content_not_found')) throw err;
      say(`not reloaded, the running version stays (${files.join(', ')} changed):`);
      for (const line of errorMessage(err).split('\n')) say(`  ${line}`);
    }
  });
  say(`Watching ${dir}: every save reloads the content of ${record.id} (Ctrl-C stops watching; the playground keeps running).`);
  try {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    watch.close();
    events.close();
  }
  say(`Stopped watching. The playground runs on: sandlot destroy ${record.id} ends it.`);
}
