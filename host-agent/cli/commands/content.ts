// `sandlot content …`: check a tutorial/challenge folder, list the built-ins, start content
// on a new playground, stop or restart it, answer a user-input task.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { AgentClient } from '../../api/client';
import type { ContentState, DriverName, PlaygroundRecord, TaskRecord } from '../../api/protocol';
import { TemplateCatalog, templateDirs } from '../../playgrounds/catalog';
import { formatProblem, type ContentProblem } from '../../content/errors';
import { libraryEntries, libraryRoots } from '../../content/library';
import { resolveContentDir } from '../../content/load';
import type { ContentDocument } from '../../content/model';
import { outline } from '../../content/outline';
import { readInWorker, readOneInWorker } from '../../content/reader';
import { parseDuration } from '../../content/testing/control';
import { junitXml, progressLine, summaryLines } from '../../content/testing/report';
import { hostJobLimit, planCases, runSuite } from '../../content/testing/suite';
import type { SuiteResult } from '../../content/testing/types';
import { errorMessage } from '../../util/errors';
import { parseOwnJson } from '../../util/json';
import { watchAndReload } from '../content-watch';
import { CliError, client, clientOrStartAgent, printJson, resolveTarget, timeLeft } from '../context';
import { localBases } from './manifest';
import { waitUntilRunning } from './playgrounds';
import { describeTask } from './tasks';

const DRIVERS: DriverName[] = ['sandbox', 'docker', 'microvm'];

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
    .option('--watch', 'stay and reload the content in place on every save in its folder (problems are printed; the running version stays)')
    .action(async (target: string, o: { lifetime?: string; json?: boolean; watch?: boolean }) => {
      if (o.watch && o.json) throw new CliError('--watch and --json: choose one (--watch prints lines as the content changes)');
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
      if (o.watch) {
        say(`Enter the machine with: sandlot ssh ${record.id}`);
        return watchAndReload(c, record, say);
      }
      say(`Follow the tasks with: sandlot tasks ${record.id} --watch    Enter the machine with: sandlot ssh ${record.id}`);
    });

  content
    .command('test')
    .description(
      'test content the way its authors vet it: a fresh playground each run, no task may pass before the solution, the solution applied, every task completed within its timeout, the playground destroyed',
    )
    .argument('<dirs...>', 'content folders (or names in the catalog)')
    .option('--repeat <n>', 'runs per content (2 or 3 catch flaky checks)', '1')
    .option('--jobs <n>', 'playgrounds at once (capped by what this host can carry)', '1')
    .option('--driver <driver>', 'run every playground on this driver (sandbox, docker, microvm)')
    .option('--timeout <duration>', 'longest one run may take, start to last check (e.g. 10m)', '10m')
    .option('--junit <file>', 'also write a JUnit XML report (one test case per task per run)')
    .option('--json', 'print the results as JSON (progress still goes to stderr)')
    .option('--library <folder>', 'another folder of content that names may refer to (repeatable)', collect, [] as string[])
    .addHelpText(
      'after',
      `
Solutions: .solution.sh / .solution-NN.sh (iximiuz Labs' CI scripts: "# session: [user@]machine" chunks,
"examinerctl task wait|input"), else the shell blocks of solution.md / solution-NN.md, else the shell
blocks of "Solution" boxes in index.md; Killercoda: each step's solution file or its {{exec}} blocks.
Scripts see SANDLOT_TEST_RUN (1-based) and SANDLOT_TEST_REPEAT.
Exit code: 0 when every run passed, 1 when a run failed or a task is flaky, 2 when content could not be tested.`,
    )
    .action(
      async (targets: string[], o: { repeat: string; jobs: string; driver?: string; timeout: string; junit?: string; json?: boolean; library: string[] }) => {
        const count = (flag: string, v: string) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag}: expected a whole number of at least 1, got "${v}"`);
          return n;
        };
        const repeat = count('--repeat', o.repeat);
        const asked = count('--jobs', o.jobs);
        const timeoutMs = parseDuration(o.timeout);
        if (timeoutMs === undefined) throw new CliError(`--timeout: expected a duration like 10m or 90s, got "${o.timeout}"`);
        const driver = DRIVERS.find((d) => d === o.driver);
        if (o.driver !== undefined && !driver) throw new CliError(`--driver: expected ${DRIVERS.join(', ')}, got "${o.driver}"`);
        const say = (line: string) => process.stderr.write(`${line}\n`);
        const roots = libraryRoots(o.library);
        const dirs = targets.map((t) => {
          try {
            return resolveContentDir(t, roots);
          } catch (err) {
            throw new CliError(errorMessage(err));
          }
        });
        const bases = localBases();
        const templates = Object.fromEntries(bases.names().flatMap((n) => (bases.get(n) ? [[n, bases.get(n)!]] : [])));
        const reads = await readInWorker(dirs, new TemplateCatalog(templateDirs()), { mode: 'test', library: roots, templates });
        const { cases, untestable } = planCases(reads, repeat);
        const limit = hostJobLimit();
        const jobs = Math.min(asked, limit, Math.max(1, cases.length));
        if (asked > limit) say(`--jobs ${asked}: this host carries ${limit} playground(s) at once (processors and free memory); running ${jobs}`);
        const c = cases.length > 0 ? await clientOrStartAgent(say) : undefined;
        const stop = new AbortController();
        const onSignal = () => {
          if (stop.signal.aborted) process.exit(130);
          say('stopping: destroying the test playgrounds (Ctrl-C again to leave them)');
          stop.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        let result: SuiteResult;
        try {
          if (cases.length > 0) say(`testing ${cases.length} run(s) of ${new Set(cases.map((x) => x.label)).size} solution(s), ${jobs} at a time`);
          result = await runSuite(cases, untestable, {
            client: c!,
            repeat,
            jobs,
            ...(driver ? { driver } : {}),
            timeoutMs,
            signal: stop.signal,
            emit: (e) => {
              const line = progressLine(e);
              if (line) say(line);
            },
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        if (o.junit) fs.writeFileSync(o.junit, junitXml(result));
        if (o.json) printJson(result);
        const out = o.json ? say : (line: string) => console.log(line);
        for (const line of summaryLines(result)) out(line);
        const failed = result.results.some((r) => !r.passed) || result.flaky.length > 0;
        if (stop.signal.aborted) process.exitCode = 130;
        else if (failed) process.exitCode = 1;
        else if (result.untestable.length > 0) process.exitCode = 2;
      },
    );

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
