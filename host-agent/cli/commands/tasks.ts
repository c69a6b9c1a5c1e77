// `sandlot tasks <playground>`: the task states of the content a playground runs, once
// or followed live (--watch) from the playground's event stream.
import type { Command } from 'commander';
import type { TaskRecord } from '../../api/protocol';
import { CliError, client, printJson, resolveTarget, table } from '../context';

const MARK: Record<TaskRecord['status'], string> = { created: '·', blocked: '⏸', running: '…', failed: '✗', completed: '✓' };

export function describeTask(t: TaskRecord): string {
  const exit = t.exitCode === undefined ? '' : ` (exit ${t.exitCode === null ? 'killed' : t.exitCode})`;
  const extra =
    t.status === 'blocked' && t.waitingFor?.length ? ` waiting for ${t.waitingFor.join(', ')}` : t.hint ? ` hint: ${t.hint}` : t.error ? ` ${t.error}` : '';
  return `${MARK[t.status]} ${t.name} ${t.status}${t.status === 'completed' ? '' : exit}${extra}`;
}

function rows(tasks: Record<string, TaskRecord>, all: boolean): string[][] {
  return Object.values(tasks)
    .filter((t) => all || !t.hidden)
    .map((t) => [
      MARK[t.status],
      t.name,
      t.kind,
      t.status,
      t.exitCode === undefined ? '-' : String(t.exitCode),
      String(t.runs),
      (t.hint ?? t.error ?? '').split('\n')[0].slice(0, 70),
    ]);
}

export function register(program: Command): void {
  program
    .command('tasks')
    .description("show the task states of a playground's tutorial or challenge")
    .argument('<playground>')
    .option('-w, --watch', 'follow changes until the content completes or fails')
    .option('-a, --all', 'include hidden helper tasks')
    .option('--json', 'print JSON (with --watch: one task record per line)')
    .action(async (id: string, o: { watch?: boolean; all?: boolean; json?: boolean }) => {
      const c = client();
      const { record } = await resolveTarget(c, id);
      if (!record.content) throw new CliError(`playground ${record.id} runs no tutorial or challenge (start one with: sandlot content start <dir|name>)`);
      const tasks = await c.tasks(record.id);
      if (!o.watch) {
        if (o.json) return printJson(tasks);
        console.log(`${record.content.title} [${record.content.state ?? 'unknown'}]${record.content.error ? `: ${record.content.error.split('\n')[0]}` : ''}`);
        console.log(table([['', 'TASK', 'KIND', 'STATUS', 'EXIT', 'RUNS', 'HINT'], ...rows(tasks, o.all ?? false)]));
        return;
      }
      await new Promise<void>((resolve, reject) => {
        let stop: (() => void) | undefined;
        let done = false;
        const finish = (err?: Error) => {
          if (done) return;
          done = true;
          stop?.();
          if (err) reject(err);
          else resolve();
        };
        c.events(
          record.id,
          (e) => {
            if (e.type === 'snapshot') {
              for (const t of Object.values(e.playground.tasks ?? {})) if (o.all || !t.hidden) console.log(o.json ? JSON.stringify(t) : describeTask(t));
              const s = e.playground.content?.state;
              if (s === 'completed' || s === 'failed' || s === 'stopped')
                finish(s === 'failed' ? new CliError(`content failed: ${e.playground.content?.error ?? ''}`) : undefined);
            } else if (e.type === 'task' && (o.all || !e.task.hidden)) {
              console.log(o.json ? JSON.stringify(e.task) : describeTask(e.task));
            } else if (e.type === 'content') {
              if (!o.json) console.log(`content ${e.state}${e.message ? `: ${e.message}` : ''}`);
              if (e.state === 'completed' || e.state === 'stopped') finish();
              if (e.state === 'failed') finish(new CliError(`content failed${e.message ? `: ${e.message}` : ''}`));
            } else if (e.type === 'playground' && e.state === 'destroyed') finish(new CliError(`playground ${record.id} destroyed`));
          },
          (code, reason) => finish(new CliError(`event stream closed (${code}${reason ? `: ${reason}` : ''})`)),
        ).then((s) => {
          stop = s;
          if (done) s();
        }, reject);
      });
    });
}
