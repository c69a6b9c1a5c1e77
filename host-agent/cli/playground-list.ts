// What `sandlot list` prints: the one writer of the playground table, used by the full
// CLI's `list` (commands/playgrounds.ts) and by the lean entry the launcher runs for it.
import { startedBy } from '../api/labels';
import type { PlaygroundRecord } from '../api/protocol';
import { printJson, table, timeLeft } from './context';

export function printPlaygroundList(list: PlaygroundRecord[], json: boolean): void {
  if (json) return printJson(list);
  if (list.length === 0) return console.log('No playgrounds. Start one with: sandlot start linux');
  console.log(
    table([
      ['ID', 'TEMPLATE', 'STATE', 'MACHINES', 'EXPIRES IN'],
      ...list.map((p) => [
        p.id,
        p.template + (startedBy(p) ? ` (${startedBy(p)})` : ''),
        p.state + (p.error ? ` (${p.error.split('\n')[0].slice(0, 60)})` : ''),
        p.machines.map((m) => `${m.name}:${m.state}`).join(','),
        timeLeft(p.deadline),
      ]),
    ]),
  );
}
