// Reads an iximiuz Labs tutorial or challenge folder (`index.md` with YAML front matter
// and an MDC body, images under `__static__/`) into the content model.
import type { TemplateLookup } from '../playgrounds/catalog';
import * as path from 'node:path';
import type { BaseCatalog } from '../manifests/base';
import type { ContentProblem } from './errors';
import { ContentFileError, ContentFiles } from './files';
import { checkFrontMatter, parseFrontMatter } from './front-matter';
import { IXIMIUZ_INDEX } from './library';
import type { ContentLimits } from './limits';
import { parseMarkdown, type ParsedMarkdown } from './markdown';
import type { Content, ContentPlayground, TaskSpec } from './model';
import { frontMatterSchema, type PlaygroundFrontMatter, type TaskFrontMatter } from './schema';
import { checkStaticFolder, validateContent } from './validate';

export { IXIMIUZ_INDEX };

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

/** Front matter tasks → specs; `::user-input-task` in the markdown makes a task an input task. */
export function taskSpecs(
  tasks: Record<string, TaskFrontMatter> | undefined,
  md: ParsedMarkdown[],
  file: string,
  problems: ContentProblem[],
): Record<string, TaskSpec> {
  const inputTasks = new Set(md.flatMap((m) => m.refs.flatMap((r) => (r.kind === 'task' && r.component === 'user-input-task' ? [r.task] : []))));
  const out: Record<string, TaskSpec> = {};
  for (const [name, t] of Object.entries(tasks ?? {})) {
    if (t.init && t.helper) problems.push({ file, where: `tasks.${name}`, message: 'a task is either init or helper, not both' });
    out[name] = taskSpecFromFrontMatter(name, t, inputTasks.has(name));
  }
  return out;
}

/** The `playground:` of front matter in the content model: its template and the manifest section. */
export function contentPlayground(pg: PlaygroundFrontMatter): ContentPlayground {
  const { name, ...section } = pg;
  return { template: name, ...(Object.values(section).some((v) => v !== undefined) ? { section } : {}) };
}

/** Reads a markdown file of the content; problems name it. Undefined when it cannot be read. */
export function readMarkdown(files: ContentFiles, rel: string, problems: ContentProblem[]): ParsedMarkdown | undefined {
  let text: string;
  try {
    text = files.readText(rel);
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    problems.push({ file: rel, message: err.message });
    return undefined;
  }
  const md = parseMarkdown(text, 'mdc', { maxParagraphBytes: files.limits.paragraphBytes });
  for (const p of md.problems) problems.push({ file: rel, where: `line ${p.line}`, message: p.message });
  return md;
}

export function loadIximiuz(dir: string, catalog: TemplateLookup, limits?: ContentLimits): LoadResult {
  let files: ContentFiles;
  try {
    files = new ContentFiles(dir, limits ? { limits } : {});
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    return { problems: [{ file: dir, message: err.message }] };
  }
  return readIximiuz(files, catalog);
}

export function readIximiuz(files: ContentFiles, catalog: TemplateLookup, bases?: BaseCatalog): LoadResult {
  const file = IXIMIUZ_INDEX;
  const problems: ContentProblem[] = [];
  const md = readMarkdown(files, file, problems);
  if (!md) return { problems };
  if (md.frontMatter === undefined) {
    problems.push({ file, message: 'expected YAML front matter between "---" lines at the top (kind, title, playground, tasks)' });
    return { problems };
  }
  const data = parseFrontMatter({ yaml: md.frontMatter, line: md.frontMatterLine ?? 2 }, file, problems);
  if (!data) return { problems };
  const fm = checkFrontMatter(frontMatterSchema, data, file, problems);
  if (!fm) return { problems };
  const tasks = taskSpecs(fm.tasks, [md], file, problems);
  const content: Content = {
    name: path.basename(files.dir),
    kind: fm.kind,
    format: 'iximiuz',
    title: fm.title,
    description: (fm.description ?? '').trim(),
    dir: files.dir,
    playground: contentPlayground(fm.playground),
    tasks,
    pages: [{ title: fm.title, blocks: md.blocks }],
  };
  problems.push(...validateContent(content, file, [{ file, refs: md.refs }], catalog, files, bases ? { bases } : {}));
  problems.push(...checkStaticFolder(files, '__static__'));
  content.assets = files.assets();
  return { content, problems };
}
