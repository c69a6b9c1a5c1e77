// Reads a Killercoda (or older Katacoda) scenario folder into the content model:
// `index.json` → pages (intro, steps, finish), `verify` scripts → regular tasks shown at
// the end of their step, `background` scripts → init tasks (run in scenario order),
// `foreground` scripts → a command run in the terminal when the page opens.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { formatPath } from '../manifests/load';
import type { ContentProblem } from './errors';
import { parseMarkdown, type MarkdownRef } from './markdown';
import type { Block, Content, Page, TaskSpec } from './model';
import type { TemplateLookup } from '../playgrounds/catalog';
import { validateContent, type RefsByFile } from './validate';

export const KILLERCODA_INDEX = 'index.json';

const pageSchema = z
  .object({
    title: z.string().optional(),
    text: z.string({ error: 'expected the path of a markdown file' }).optional(),
    verify: z.string().optional(),
    background: z.string().optional(),
    foreground: z.string().optional(),
  })
  .loose();

export const scenarioSchema = z
  .object({
    title: z.string({ error: 'expected the scenario title as a string' }).min(1),
    description: z.string().optional(),
    details: z
      .object({
        intro: pageSchema.optional(),
        steps: z.array(pageSchema).min(1, { error: 'expected at least one step' }),
        finish: pageSchema.optional(),
      })
      .loose(),
    backend: z.object({ imageid: z.string({ error: 'expected an image id like "ubuntu"' }) }).loose(),
  })
  .loose();

/**
 * Killercoda image ids → Sandlot templates. Unknown ids are kept as the template name,
 * so a user can add a template of that name to their catalog.
 */
const IMAGE_TEMPLATES: [RegExp, string][] = [
  [/^(ubuntu|debian)(:.*)?$/, 'linux'],
  [/^docker(-direct)?$/, 'docker'],
  [/^kubernetes-kubeadm-/, 'k3s'],
  [/^kubernetes/, 'k3s'],
];

export function templateForImage(imageid: string): string {
  return IMAGE_TEMPLATES.find(([re]) => re.test(imageid))?.[1] ?? imageid;
}

interface Loaded {
  problems: ContentProblem[];
  markdown: RefsByFile[];
}

/** Reads a file named in index.json, refusing paths that leave the scenario folder. */
function readRelative(dir: string, rel: string, field: string, out: Loaded): string | undefined {
  const full = path.resolve(dir, rel);
  if (!full.startsWith(path.resolve(dir) + path.sep)) {
    out.problems.push({ file: KILLERCODA_INDEX, where: field, message: `"${rel}" points outside the scenario folder` });
    return undefined;
  }
  try {
    return fs.readFileSync(full, 'utf8');
  } catch {
    out.problems.push({ file: KILLERCODA_INDEX, where: field, message: `file "${rel}" not found` });
    return undefined;
  }
}

export function loadKillercoda(dir: string, catalog: TemplateLookup): { content?: Content; problems: ContentProblem[] } {
  const out: Loaded = { problems: [], markdown: [] };
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(path.join(dir, KILLERCODA_INDEX), 'utf8'));
  } catch (err) {
    const what = err instanceof SyntaxError ? `bad JSON: ${err.message}` : `cannot read: ${(err as Error).message}`;
    return { problems: [{ file: KILLERCODA_INDEX, message: what }] };
  }
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => ({
        file: KILLERCODA_INDEX,
        where: formatPath(issue.path),
        message: issue.code === 'invalid_type' && issue.input === undefined ? `required field is missing (expected ${issue.expected})` : issue.message,
      })),
    };
  }
  const scenario = parsed.data;
  const tasks: Record<string, TaskSpec> = {};
  let lastInit: string | undefined;
  const addInit = (name: string, run: string) => {
    // Backgrounds run in scenario order: a step's setup may build on the one before.
    tasks[name] = { name, kind: 'init', user: 'root', run, needs: lastInit ? [lastInit] : [], env: [] };
    lastInit = name;
  };

  const pages: Page[] = [];
  const readPage = (page: z.infer<typeof pageSchema>, field: string, defaultTitle: string, prefix: string) => {
    const blocks: Block[] = [];
    if (page.background) {
      const script = readRelative(dir, page.background, `${field}.background`, out);
      if (script !== undefined) addInit(`${prefix}_background`, script);
    }
    if (page.foreground) {
      const script = readRelative(dir, page.foreground, `${field}.foreground`, out);
      if (script !== undefined) blocks.push({ type: 'code', lang: 'bash', value: script.trimEnd(), actions: ['run', 'copy'], autoRun: true });
    }
    if (page.text) {
      const text = readRelative(dir, page.text, `${field}.text`, out);
      if (text !== undefined) {
        const md = parseMarkdown(text, 'killercoda');
        blocks.push(...md.blocks);
        // Image paths in a step's markdown are relative to that markdown file.
        const base = path.dirname(page.text);
        const refs: MarkdownRef[] = md.refs.map((r) => (r.kind === 'image' && !/^[a-z]+:/i.test(r.src) ? { ...r, src: path.join(base, r.src) } : r));
        out.markdown.push({ file: page.text, refs });
        rebaseImages(blocks, base);
      }
    }
    if (page.verify) {
      const script = readRelative(dir, page.verify, `${field}.verify`, out);
      if (script !== undefined) {
        const name = `${prefix}_verify`;
        tasks[name] = { name, kind: 'regular', user: 'root', run: script, needs: [], env: [] };
        blocks.push({
          type: 'task',
          task: name,
          input: false,
          slots: {
            active: [{ type: 'paragraph', children: [{ type: 'text', value: `Checking ${defaultTitle.toLowerCase()}…` }] }],
            completed: [{ type: 'paragraph', children: [{ type: 'text', value: `${defaultTitle}: done.` }] }],
          },
        });
      }
    }
    pages.push({ title: page.title ?? defaultTitle, blocks });
  };

  const { intro, steps, finish } = scenario.details;
  if (intro) readPage(intro, 'details.intro', 'Introduction', 'intro');
  steps.forEach((step, i) => readPage(step, `details.steps[${i}]`, `Step ${i + 1}`, `step${i + 1}`));
  if (finish) readPage(finish, 'details.finish', 'Finish', 'finish');

  const content: Content = {
    name: path.basename(path.resolve(dir)),
    kind: 'scenario',
    format: 'killercoda',
    title: scenario.title,
    description: (scenario.description ?? '').trim(),
    dir: path.resolve(dir),
    playground: { template: templateForImage(scenario.backend.imageid) },
    tasks,
    pages,
  };
  out.problems.push(...validateContent(content, KILLERCODA_INDEX, out.markdown, catalog));
  return { content, problems: out.problems };
}

/** Makes relative image sources relative to the scenario folder, as the model expects. */
function rebaseImages(blocks: Block[], base: string): void {
  if (base === '.' || base === '') return;
  const fix = (src: string) => (/^[a-z]+:/i.test(src) || src.startsWith('/') ? src : path.posix.join(base, src));
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const n = node as { type?: string; src?: string };
      if (n.type === 'image' && typeof n.src === 'string') n.src = fix(n.src);
      for (const v of Object.values(node)) if (typeof v === 'object') walk(v);
    }
  };
  walk(blocks);
}
