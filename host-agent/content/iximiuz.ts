// Reads an iximiuz Labs tutorial or challenge folder (`index.md` with YAML front matter
// and an MDC body, images under `__static__/`) into the content model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath } from '../manifests/load';
import type { ContentProblem } from './errors';
import { parseMarkdown } from './markdown';
import type { Content, TaskSpec } from './model';
import { frontMatterSchema, type TaskFrontMatter } from './schema';
import type { TemplateLookup } from '../playgrounds/catalog';
import { validateContent } from './validate';

export const IXIMIUZ_INDEX = 'index.md';

export interface LoadResult {
  content?: Content;
  problems: ContentProblem[];
}

export function taskSpecFromFrontMatter(name: string, t: TaskFrontMatter, input: boolean): TaskSpec {
  return {
    name,
    kind: t.init ? 'init' : t.helper ? 'helper' : 'regular',
    ...(t.machine !== undefined ? { machine: t.machine } : {}),
    user: t.user ?? 'root',
    run: t.run,
    needs: t.needs ?? [],
    env: t.env ?? [],
    ...(t.timeout_seconds !== undefined ? { timeoutSeconds: t.timeout_seconds } : {}),
    ...(t.hintcheck !== undefined ? { hintcheck: t.hintcheck } : {}),
    ...(t.failcheck !== undefined ? { failcheck: t.failcheck } : {}),
    ...(input || t.destination !== undefined ? { input: t.destination !== undefined ? { destination: t.destination } : {} } : {}),
  };
}

export function loadIximiuz(dir: string, catalog: TemplateLookup): LoadResult {
  const file = IXIMIUZ_INDEX;
  const problems: ContentProblem[] = [];
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, file), 'utf8');
  } catch (err) {
    return { problems: [{ file: path.join(dir, file), message: `cannot read: ${(err as Error).message}` }] };
  }
  const md = parseMarkdown(text, 'mdc');
  for (const p of md.problems) problems.push({ file, where: `line ${p.line}`, message: p.message });
  if (md.frontMatter === undefined) {
    problems.push({ file, message: 'expected YAML front matter between "---" lines at the top (kind, title, playground, tasks)' });
    return { problems };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(md.frontMatter, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      // Lines inside the front matter, shifted to lines of index.md.
      const where = `line ${lineCounter.linePos(e.pos[0]).line + (md.frontMatterLine ?? 1) - 1}`;
      problems.push({ file, where, message: `bad front matter YAML: ${e.message.split('\n')[0]}` });
    }
    return { problems };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, where: 'front matter', message: 'expected a YAML mapping with kind, title, playground' });
    return { problems };
  }
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = formatPath(issue.path);
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
          : issue.code === 'invalid_type' && issue.input === undefined
            ? `required field is missing (expected ${issue.expected})`
            : issue.message;
      problems.push({ file, where, message });
    }
    return { problems };
  }
  const fm = parsed.data;
  if (fm.tasks) {
    for (const [name, t] of Object.entries(fm.tasks)) {
      if (t.init && t.helper) problems.push({ file, where: `tasks.${name}`, message: 'a task is either init or helper, not both' });
    }
  }
  const inputTasks = new Set(md.refs.flatMap((r) => (r.kind === 'task' && r.component === 'user-input-task' ? [r.task] : [])));
  const tasks: Record<string, TaskSpec> = {};
  for (const [name, t] of Object.entries(fm.tasks ?? {})) tasks[name] = taskSpecFromFrontMatter(name, t, inputTasks.has(name));

  const content: Content = {
    name: path.basename(path.resolve(dir)),
    kind: fm.kind,
    format: 'iximiuz',
    title: fm.title,
    description: (fm.description ?? '').trim(),
    dir: path.resolve(dir),
    playground: { template: fm.playground.name, ...(fm.playground.machines ? { machines: fm.playground.machines } : {}) },
    tasks,
    pages: [{ title: fm.title, blocks: md.blocks }],
  };
  problems.push(...validateContent(content, file, [{ file, refs: md.refs }], catalog));
  return { content, problems };
}
