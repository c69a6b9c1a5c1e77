// Reads a Killercoda (or older Katacoda) scenario folder into the content model:
// `index.json` → pages (intro, steps, finish — each optional), `verify` scripts → regular
// tasks shown at the end of their step, `background` scripts → init tasks (run in scenario
// order), `foreground` scripts → a command run in the terminal when the page opens,
// `details.assets` → files copied into the machines before the first background script.
// Text and scripts must stay inside the scenario folder; images and assets may also come
// from the scenario repository's shared folders (`../assets/logo.png`), never beyond it.
import type { TemplateLookup } from '../playgrounds/catalog';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { formatPath } from '../manifests/load';
import type { BaseCatalog } from '../manifests/base';
import type { ContentProblem } from './errors';
import { ContentFileError, ContentFiles } from './files';
import { KILLERCODA_INDEX } from './library';
import { formatBytes, type ContentLimits } from './limits';
import { parseMarkdown, rebaseImages, type MarkdownRef } from './markdown';
import type { Block, Content, Page, TaskSpec } from './model';
import { shellQuote } from '../tasks/template';
import { validateContent, type RefsByFile } from './validate';

export { KILLERCODA_INDEX };

const pageSchema = z
  .object({
    title: z.string().optional(),
    text: z.string({ error: 'expected the path of a markdown file' }).optional(),
    verify: z.string().optional(),
    background: z.string().optional(),
    foreground: z.string().optional(),
  })
  .loose();

const assetSchema = z
  .object({
    file: z.string({ error: 'expected a file name in the assets folder' }).min(1),
    target: z.string({ error: 'expected the folder to copy it to' }).startsWith('/', { error: 'expected an absolute folder path' }),
    chmod: z
      .string()
      .regex(/^([ugoa]*[-+=][rwxXst]+|[0-7]{3,4})$/, { error: (iss) => `expected a chmod mode like "+x" or "0644", got ${JSON.stringify(iss.input)}` })
      .optional(),
  })
  .loose();

export const scenarioSchema = z
  .object({
    title: z.string({ error: 'expected the scenario title as a string' }).min(1),
    description: z.string().optional(),
    details: z
      .object({
        intro: pageSchema.optional(),
        steps: z.array(pageSchema).optional(),
        finish: pageSchema.optional(),
        assets: z
          .record(
            z.string().regex(/^(host\d+|client)$/, { error: (iss) => `expected "host01", "host02", … or "client", got ${JSON.stringify(iss.input)}` }),
            z.array(assetSchema),
          )
          .optional(),
      })
      .loose()
      .optional(),
    backend: z.object({ imageid: z.string({ error: 'expected an image id like "ubuntu"' }) }).loose(),
  })
  .loose();

/** Killercoda image ids → Sandlot templates (a template named like the id wins). */
const IMAGE_TEMPLATES: [RegExp, string][] = [
  [/^(ubuntu|debian)/, 'linux'],
  [/^docker/, 'docker'],
  [/^kubernetes/, 'k3s'],
];
const IMAGE_FAMILIES = 'ubuntu…, debian…, docker…, kubernetes-…';

/** The template a Killercoda image id runs on, or undefined for ids Sandlot does not know. */
export function templateForImage(imageid: string, templates: string[] = []): string | undefined {
  if (templates.includes(imageid)) return imageid;
  return IMAGE_TEMPLATES.find(([re]) => re.test(imageid))?.[1];
}

/**
 * The folder holding the scenarios (whose shared `assets/` a scenario may use): the
 * nearest folder above with `.git` or Killercoda's `structure.json` (at most three levels
 * up), else the folder the scenario is in.
 */
export function scenarioRepository(dir: string): string {
  const parent = path.dirname(path.resolve(dir));
  let probe = parent;
  for (let i = 0; i < 3; i++) {
    if (fs.existsSync(path.join(probe, '.git')) || fs.existsSync(path.join(probe, 'structure.json'))) return probe;
    const up = path.dirname(probe);
    if (up === probe) break;
    probe = up;
  }
  return parent;
}

class ScenarioReader {
  readonly problems: ContentProblem[] = [];
  readonly markdown: RefsByFile[] = [];
  readonly tasks: Record<string, TaskSpec> = {};
  private lastInit: string | undefined;
  /** The verify task of the step before: a learner reaches a step only once it passed. */
  private lastVerify: string | undefined;

  constructor(readonly files: ContentFiles) {}

  /** Reads a file named in index.json; problems name the field. */
  read(rel: string, field: string, kind: 'markdown' | 'script'): string | undefined {
    try {
      return this.files.readText(rel, kind);
    } catch (err) {
      if (!(err instanceof ContentFileError)) throw err;
      this.problems.push({ file: KILLERCODA_INDEX, where: field, message: err.message });
      return undefined;
    }
  }

  addInit(name: string, run: string): void {
    // Backgrounds run in scenario order: a step's setup may build on the one before.
    this.tasks[name] = { name, kind: 'init', user: 'root', run, needs: this.lastInit ? [this.lastInit] : [], env: [] };
    this.lastInit = name;
  }

  page(page: z.infer<typeof pageSchema>, field: string, defaultTitle: string, prefix: string): Page {
    const blocks: Block[] = [];
    if (page.background) {
      const script = this.read(page.background, `${field}.background`, 'script');
      if (script !== undefined) this.addInit(`${prefix}_background`, script);
    }
    if (page.foreground) {
      const script = this.read(page.foreground, `${field}.foreground`, 'script');
      if (script !== undefined) blocks.push({ type: 'code', lang: 'bash', value: script.trimEnd(), actions: ['run', 'copy'], autoRun: true });
    }
    if (page.text) {
      const text = this.read(page.text, `${field}.text`, 'markdown');
      if (text !== undefined) {
        const md = parseMarkdown(text, 'killercoda', { maxParagraphBytes: this.files.limits.paragraphBytes });
        // Image paths in a step's markdown are relative to that markdown file.
        const base = path.posix.dirname(page.text.split(path.sep).join('/'));
        rebaseImages(md.blocks, base);
        blocks.push(...md.blocks);
        const refs: MarkdownRef[] = md.refs.map((r) => (r.kind === 'image' && !/^[a-z]+:/i.test(r.src) ? { ...r, src: path.posix.join(base, r.src) } : r));
        this.markdown.push({ file: page.text, refs });
      }
    }
    if (page.verify) {
      const script = this.read(page.verify, `${field}.verify`, 'script');
      if (script !== undefined) {
        const name = `${prefix}_verify`;
        // Killercoda checks a step only when the learner is on it, after every step before
        // passed; a step's check that holds before then ("the pod is gone") must not pass early.
        this.tasks[name] = { name, kind: 'regular', user: 'root', run: script, needs: this.lastVerify ? [this.lastVerify] : [], env: [] };
        this.lastVerify = name;
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
    return { title: page.title ?? defaultTitle, blocks };
  }

  /**
   * `details.assets`: one init task per machine that writes the files. The bytes travel
   * inside the task program, which travels in the SSH command line (Linux caps one
   * argument at 128 KiB), hence the cap per machine.
   */
  assets(assets: Record<string, z.infer<typeof assetSchema>[]>, machines: string[] | undefined): void {
    const cap = this.files.limits.uploadBytes;
    for (const [host, list] of Object.entries(assets).sort(([a], [b]) => a.localeCompare(b))) {
      const field = `details.assets.${host}`;
      const index = host === 'client' ? 0 : Number(host.slice(4)) - 1;
      const machine = machines?.[index];
      if (machines && !machine) {
        this.problems.push({
          file: KILLERCODA_INDEX,
          where: field,
          message: `the playground has ${machines.length} machine(s) (${machines.join(', ')}), so there is no ${host}`,
        });
        continue;
      }
      const lines: string[] = ['set -e'];
      let bytes = 0;
      list.forEach((a, i) => {
        const names = a.file === '*' ? this.assetFolderFiles(`${field}[${i}].file`) : [a.file];
        for (const name of names) {
          const rel = path.posix.join('assets', name);
          let data: Buffer;
          try {
            data = this.files.readAsset(rel);
          } catch (err) {
            if (!(err instanceof ContentFileError)) throw err;
            this.problems.push({ file: KILLERCODA_INDEX, where: `${field}[${i}].file`, message: err.message });
            continue;
          }
          bytes += data.length;
          const target = path.posix.join(a.target, path.posix.basename(name));
          lines.push(`mkdir -p ${shellQuote(a.target)}`, `printf %s ${shellQuote(data.toString('base64'))} | base64 -d > ${shellQuote(target)}`);
          if (a.chmod) lines.push(`chmod ${shellQuote(a.chmod)} ${shellQuote(target)}`);
        }
      });
      if (bytes > cap) {
        this.problems.push({
          file: KILLERCODA_INDEX,
          where: field,
          message: `the assets for ${host} are ${formatBytes(bytes)}; Sandlot copies up to ${formatBytes(cap)} per machine (they travel in the task's SSH command line)`,
        });
        continue;
      }
      const name = `assets_${host}`;
      this.tasks[name] = { name, kind: 'init', ...(machine ? { machine } : {}), user: 'root', run: lines.join('\n') + '\n', needs: [], env: [] };
      this.lastInit = name;
    }
  }

  private assetFolderFiles(field: string): string[] {
    try {
      return this.files
        .list('assets')
        .filter((e) => e.kind === 'file')
        .map((e) => e.name);
    } catch (err) {
      if (!(err instanceof ContentFileError)) throw err;
      this.problems.push({ file: KILLERCODA_INDEX, where: field, message: err.message });
      return [];
    }
  }
}

export function loadKillercoda(dir: string, catalog: TemplateLookup, limits?: ContentLimits): { content?: Content; problems: ContentProblem[] } {
  let files: ContentFiles;
  try {
    files = new ContentFiles(dir, { assetRoot: scenarioRepository(dir), folderName: 'scenario folder', ...(limits ? { limits } : {}) });
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    return { problems: [{ file: dir, message: err.message }] };
  }
  return readKillercoda(files, catalog);
}

export function readKillercoda(files: ContentFiles, catalog: TemplateLookup, bases?: BaseCatalog): { content?: Content; problems: ContentProblem[] } {
  let data: unknown;
  try {
    data = JSON.parse(files.readText(KILLERCODA_INDEX));
  } catch (err) {
    const what = err instanceof SyntaxError ? `bad JSON: ${err.message}` : err instanceof ContentFileError ? err.message : `cannot read: ${String(err)}`;
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
  const reader = new ScenarioReader(files);
  const imageid = scenario.backend.imageid;
  const template = templateForImage(imageid, catalog.names());
  const templates = catalog.names().join(', ') || 'none';
  let templateProblem: string | undefined;
  if (!template) templateProblem = `unknown image "${imageid}" (Sandlot maps ${IMAGE_FAMILIES} to its templates, or name a template: ${templates})`;
  else if (!catalog.machines(template))
    templateProblem = `image "${imageid}" runs on template "${template}", which this agent does not have (templates: ${templates})`;

  const details = scenario.details ?? {};
  if (details.assets) reader.assets(details.assets, template ? catalog.machines(template) : undefined);
  const pages: Page[] = [];
  const { intro, steps = [], finish } = details;
  if (intro) pages.push(reader.page(intro, 'details.intro', 'Introduction', 'intro'));
  steps.forEach((step, i) => pages.push(reader.page(step, `details.steps[${i}]`, `Step ${i + 1}`, `step${i + 1}`)));
  if (finish) pages.push(reader.page(finish, 'details.finish', 'Finish', 'finish'));
  if (pages.length === 0) {
    // Nothing but a title and a playground: one page that says what it is.
    const text = (scenario.description ?? '').trim();
    pages.push({ title: scenario.title, blocks: text ? [{ type: 'paragraph', children: [{ type: 'text', value: text }] }] : [] });
  }

  const content: Content = {
    name: path.basename(files.dir),
    kind: 'scenario',
    format: 'killercoda',
    title: scenario.title,
    description: (scenario.description ?? '').trim(),
    dir: files.dir,
    playground: { template: template ?? imageid },
    tasks: reader.tasks,
    pages,
  };
  const problems = reader.problems;
  if (templateProblem) problems.push({ file: KILLERCODA_INDEX, where: 'backend.imageid', message: templateProblem });
  problems.push(
    ...validateContent(content, KILLERCODA_INDEX, reader.markdown, catalog, files, {
      skipTemplate: templateProblem !== undefined,
      ...(bases ? { bases } : {}),
    }),
  );
  content.assets = files.assets();
  return { content, problems };
}
