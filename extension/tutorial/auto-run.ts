// Killercoda's `foreground` scripts run in the learner's terminal when their step opens.
// Here a page opens once the content is ready and every task shown on the pages before
// it has completed; each script runs once per playground (keys remembered by the caller,
// forgotten when the content restarts).
import type { ContentState, TaskRecord } from '../../host-agent/api/protocol';
import type { Page } from '../../host-agent/content/model';
import { taskNamesOf } from '../../webviews/tutorial/render';

export interface AutoRun {
  /** Stable within one content: page index and the block's place among the page's scripts. */
  key: string;
  command: string;
  interrupt: boolean;
}

export function dueAutoRuns(
  pages: readonly Page[],
  tasks: Readonly<Record<string, TaskRecord>>,
  state: ContentState | undefined,
  done: ReadonlySet<string>,
): AutoRun[] {
  if (state !== 'ready' && state !== 'completed') return [];
  const due: AutoRun[] = [];
  for (const [p, page] of pages.entries()) {
    let n = 0;
    for (const b of page.blocks) {
      if (b.type !== 'code' || !b.autoRun) continue;
      const key = `${p}:${n++}`;
      if (!done.has(key)) due.push({ key, command: b.value, interrupt: b.interrupt ?? false });
    }
    // The next page opens only when this one's tasks are done.
    if (!taskNamesOf([page]).every((t) => tasks[t]?.status === 'completed')) break;
  }
  return due;
}
