// `sandlot content …`: check a tutorial/challenge folder, list the built-ins, start content
// on a new playground, stop or restart it, answer a user-input task.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { AgentClient } from '../../api/client';
import type { ContentState, PlaygroundRecord, TaskRecord } from '../../api/protocol';
import { TemplateCatalog, templateDirs } from '../../playgrounds/catalog';
import { formatProblem, type ContentProblem } from '../../content/errors';
import { libraryEntries, libraryRoots } from '../../content/library';
import { resolveContentDir } from '../../content/load';
import type { ContentDocument } from '../../content/model';
import { outline } from '../../content/outline';
import { readInWorker, readOneInWorker } from '../../content/reader';
import { errorMessage } from '../../util/errors';
import { parseOwnJson } from '../../util/json';
import { CliError, client, clientOrStartAgent, printJson, resolveTarget, timeLeft } from '../context';
import { localBases } from './manifest';
import { waitUntilRunning } from './playgrounds';
import { describeTask } from './tasks';

/** Follows the event stream until the content's init tasks passed (or one failed). */
async function waitUntilReady(c: AgentClient, id: string, print: (line: string) => void): Promise<ContentState> {
  return new Promise((resolve, reject) => {
    let stop: (() => void) | undefined;
    let done = false;
    const finish = (state?: ContentState, err?: Error) => {
      if (done) return;
      done = true;
      stop?.();
      if (err) reject(err);
      else resolve(state!);
    };
    const seen = new Map<string, string>();
    const onTask = (t: TaskRecord) => {
      if (t.kind !== 'init' || seen.get(t.name) === t.status) return;
      seen.set(t.name, t.status);
      if (t.status === 'running' || t.status === 'completed' || t.status === 'failed') print(`  ${describeTask(t)}`);
    };
    c.events(
      id,
      (e) => {
        if (e.type === 'task') onTask(e.task);
        const state = e.type === 'content' ? e.state : e.type === 'snapshot' ? e.playground.content?.state : undefined;
        const message = e.type === 'content' ? e.message : e.type === 'snapshot' ? e.playground.content?.error : undefined;
        if (state === 'failed') finish(undefined, new CliError(`content failed to start: ${message ?? 'see sandlot tasks ' + id}`));
        else if (state === 'ready' || state === 'completed') finish(state);
        else if (e.type === 'playground' && (e.state === 'failed' || e.state === 'destroyed'))
          finish(undefined, new CliError(`playground ${id} ${e.state}${e.message ? `: ${e.message}` : ''}`));
      },
      (code, reason) => finish(undefined, new CliError(`event stream closed (${code}${reason ? `: ${reason}` : ''})`)),
    ).then((s) => {
      stop = s;
      if (done) s();
    }, reject);
  });
}

export function register(program: Command): void {
  const content = program.command('content').description('tutorials, challenges, skill paths, courses (iximiuz Labs) and scenarios (Killercoda)');

  const collect = (value: string, previous: string[]) => [...previous, value];

  /** Reads content like the agent reads it: in a worker with the same caps, time and heap limits. */
  const read = async (target: string, library: string[]) => {
    const roots = libraryRoots(library);
    let dir: string;
    try {
      dir = resolveContentDir(target, roots);
    } catch (err) {
      throw new CliError(errorMessage(err));
    }
    const bases = localBases();
    const templates = Object.fromEntries(bases.names().flatMap((n) => (bases.get(n) ? [[n, bases.get(n)!]] : [])));
    return readOneInWorker(dir, new TemplateCatalog(templateDirs()), { library: roots, templates });
  };
  const failOnProblems = (dir: string, problems: ContentProblem[]) => {
    if (problems.length === 0) return;
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    const rel = path.relative(process.cwd(), dir);
    throw new CliError(`${problems.length} problem(s) in ${rel && !rel.startsWith('..') ? rel : dir}`, 1);
  };

  content
    .command('check')
    .description(
      'check a content folder: front matter, MDC components, tasks, needs, machines, template, images, links, sizes; what skill paths and courses refer to',
    )
    .argument(
      '<dir>',
      'folder with index.md (iximiuz Labs tutorial, challenge, skill path, course), a lesson folder, index.json (Killercoda), or a name in the catalog',
    )
    .option('--json', 'print the parsed content (or the problems) as JSON')
    .option('--library <folder>', 'another folder of content that names may refer to (repeatable)', collect, [] as string[])
    .action(async (target: string, o: { json?: boolean; library: string[] }) => {
      const { dir, problems, meta: c, header, json } = await read(target, o.library);
      if (o.json) {
        printJson(problems.length > 0 || !json ? { problems } : parseOwnJson<ContentDocument>(json));
        if (problems.length > 0) process.exitCode = 1;
        return;
      }
      if (problems.length === 0 && c) {
        const tasks = Object.values(c.tasks);
        const count = (k: string) => tasks.filter((t) => t.kind === k).length;
        console.log(
          `ok: ${c.title} (${c.format} ${c.kind} on template ${c.playground.template}; ${c.pageCount} page(s), ${count('init')} init, ${count('regular')} regular, ${count('helper')} helper task(s))`,
        );
      } else if (problems.length === 0 && header) {
        console.log(`ok: ${header.title} (${header.format} ${header.kind}; sandlot content show ${target} for its parts)`);
      }
      failOnProblems(dir, problems);
    });

  content
    .command('show')
    .description('show what a content folder holds: the units of a skill path, the modules and lessons of a course, the pages of the rest')
    .argument('<dir>', 'content folder or a name in the catalog')
    .option('--json', 'print the document as JSON')
    .option('--library <folder>', 'another folder of content that names may refer to (repeatable)', collect, [] as string[])
    .action(async (target: string, o: { json?: boolean; library: string[] }) => {
      const { dir, problems, json } = await read(target, o.library);
      if (!json) return failOnProblems(dir, problems);
      const doc = parseOwnJson<ContentDocument>(json);
      if (o.json) printJson(doc);
      else for (const line of outline(doc)) console.log(line);
      // Missing references and the like still show the outline, then fail.
      failOnProblems(dir, problems);
    });

  content
    .command('list')
    .description('list the content in the catalog: built-ins, $SANDLOT_HOME/content and --library folders')
    .option('--json', 'print JSON')
    .option('--library <folder>', 'another folder of content to list (repeatable)', collect, [] as string[])
    .action(async (o: { json?: boolean; library: string[] }) => {
      const entries = libraryEntries(libraryRoots(o.library));
      const results = await readInWorker(
        entries.map((e) => e.dir),
        new TemplateCatalog(templateDirs()),
        { mode: 'summary' },
      );
      const rows = results.map((r, i) => ({
        name: entries[i].name,
        kind: r.header?.kind ?? '?',
        template: r.header?.template ?? '-',
        title: r.header?.title ?? '(invalid: run sandlot content check)',
        source: r.dir,
      }));
      if (o.json) return printJson(rows);
      for (const r of rows) console.log(`${r.name.padEnd(26)} ${r.kind.padEnd(10)} ${r.template.padEnd(8)} ${r.title}`);
    });

  content
    .command('start')
    .description('start a tutorial, challenge, scenario or course lesson on a new playground and run its tasks')
    .argument('<dir-or-name>', 'content folder (a lesson: its folder in the course) or a name in the catalog (see `sandlot content list`)')
    .option('--lifetime <minutes>', 'lifetime in minutes (default 120)')
    .option('--json', 'print the playground record as JSON')
    .action(async (target: string, o: { lifetime?: string; json?: boolean }) => {
      const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
      // The agent runs on this host: send folders as absolute paths, built-ins by name.
      const source = fs.existsSync(target) ? path.resolve(target) : target;
      let lifetimeMinutes: number | undefined;
      if (o.lifetime !== undefined) {
        lifetimeMinutes = Number(o.lifetime);
        if (!Number.isFinite(lifetimeMinutes) || lifetimeMinutes <= 0) throw new CliError(`--lifetime: expected a number of minutes, got "${o.lifetime}"`);
      }
      const c = await clientOrStartAgent(say);
      const created = await c.startContent({ source, ...(lifetimeMinutes !== undefined ? { lifetimeMinutes } : {}) });
      say(`Starting ${created.content?.kind ?? 'content'} "${created.content?.title}" on ${created.id} (${created.template}, ${created.driver} driver)`);
      await waitUntilRunning(c, created.id, say);
      const state = await waitUntilReady(c, created.id, say);
      const record: PlaygroundRecord = await c.get(created.id);
      if (o.json) return printJson(record);
      say(`Content ${state}; playground ${record.id} expires in ${timeLeft(record.deadline)}.`);
      say(`Follow the tasks with: sandlot tasks ${record.id} --watch    Enter the machine with: sandlot ssh ${record.id}`);
    });

  for (const action of ['stop', 'restart'] as const) {
    content
      .command(action)
      .description(
        action === 'stop' ? "stop a playground's task checks (machines keep running)" : 'reset task states and run the content again from its init tasks',
      )
      .argument('<playground>')
      .action(async (id: string) => {
        const c = client();
        const r = await c.contentAction((await resolveTarget(c, id)).record.id, action);
        console.log(`${r.id}: content ${r.content?.state ?? 'none'}`);
      });
  }

  content
    .command('answer')
    .description('answer a user-input task')
    .argument('<playground>')
    .argument('<task>')
    .argument('<value>')
    .option('--json', 'print the task record as JSON')
    .action(async (id: string, task: string, value: string, o: { json?: boolean }) => {
      const c = client();
      const t = await c.submitTaskInput((await resolveTarget(c, id)).record.id, task, value);
      if (o.json) return printJson(t);
      console.log(describeTask(t));
      if (t.status !== 'completed') process.exitCode = 1;
    });
}
