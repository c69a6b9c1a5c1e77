// Entry point for reading content: a folder (iximiuz `index.md` — a tutorial, challenge,
// skill path or course —, a course lesson folder, or a Killercoda `index.json`) or the
// name of content in the local catalog (built-ins, `$SANDLOT_HOME/content`). These
// functions are synchronous and unbounded in time: the agent and the CLI call them only
// inside the content reader worker (reader.ts); tests call them directly.
import type { TemplateLookup } from '../playgrounds/catalog';
import * as path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../util/errors';
import { ContentError, type ContentProblem } from './errors';
import { ContentFileError, ContentFiles } from './files';
import { frontMatterKind, frontMatterText, parseFrontMatter } from './front-matter';
import { NODE_INDEXES, readCourse, readLesson } from './course';
import { readIximiuz } from './iximiuz';
import { readKillercoda, scenarioRepository, templateForImage } from './killercoda';
import {
  builtinContentDir,
  findInLibrary,
  IXIMIUZ_INDEX,
  isContentFolder,
  KILLERCODA_INDEX,
  KIND_FOLDERS,
  libraryRoots,
  normalizeName,
  rootEntries,
} from './library';
import { readSkillPath, unitFiles, type RefResolver } from './skill-path';
import { CONTENT_LIMITS, type ContentLimits } from './limits';
import { isRunnable, type Content, type ContentDocument, type ContentHeader } from './model';
import type { PlaygroundManifest } from '../manifests/schema';
import { basesFrom } from './playground';

export { builtinContentDir, IXIMIUZ_INDEX, KILLERCODA_INDEX };

export interface BuiltinContentSummary {
  name: string;
  dir: string;
}

export function listBuiltinContent(root = builtinContentDir()): BuiltinContentSummary[] {
  return rootEntries(root).map(({ name, dir }) => ({ name, dir }));
}

/** A path (anything with a `/` or an existing folder) or a name in the local catalog → folder. */
export function resolveContentDir(target: string, roots = libraryRoots()): string {
  if (target.includes('/') || target.startsWith('.') || isContentFolder(target)) return path.resolve(target);
  const found = findInLibrary(target, roots);
  if (found) return found.dir;
  const names = roots.flatMap((r) => rootEntries(r).map((e) => e.name));
  throw new ContentError([{ file: target, message: `no such folder and no content of that name (known: ${names.join(', ') || 'none'})` }]);
}

export interface ReadContext {
  /** Roots of the local catalog that skill paths resolve their units against. */
  library?: string[];
  limits?: ContentLimits;
  /** The template manifests by name: with them `playground:` is checked as the manifest it becomes. */
  templates?: Record<string, PlaygroundManifest>;
  /** Unsaved editor texts by real path (VS Code's problems while typing). */
  overlay?: ReadonlyMap<string, string>;
}

type Shape = { format: 'killercoda' } | { format: 'iximiuz'; kind: string | undefined } | { format: 'lesson' } | { format: 'none'; why: string };

/** What a folder holds, from its index file's name and `kind:` (read without parsing it). */
export function folderShape(files: ContentFiles): Shape {
  if (files.kind(KILLERCODA_INDEX) === 'file') return { format: 'killercoda' };
  if (files.kind(IXIMIUZ_INDEX) === 'file') return { format: 'iximiuz', kind: frontMatterKind(files.readHead(IXIMIUZ_INDEX)) };
  if (NODE_INDEXES.some((f) => files.kind(f) === 'file') || unitFiles(files.list('.').map((e) => e.name)).length > 0) return { format: 'lesson' };
  return { format: 'none', why: `expected ${IXIMIUZ_INDEX} (iximiuz Labs), ${KILLERCODA_INDEX} (Killercoda) or a lesson's 000.index.md in this folder` };
}

/** Reads any content document; problems are returned, not thrown. */
export function readDocument(dir: string, catalog: TemplateLookup, ctx: ReadContext = {}): { document?: ContentDocument; problems: ContentProblem[] } {
  const limits = ctx.limits ?? CONTENT_LIMITS;
  const bases = ctx.templates ? basesFrom(ctx.templates) : undefined;
  const result = ((): { document?: ContentDocument; problems: ContentProblem[] } => {
    try {
      const overlay = ctx.overlay ? { overlay: ctx.overlay } : {};
      const plain = new ContentFiles(dir, { limits, ...overlay });
      const shape = folderShape(plain);
      switch (shape.format) {
        case 'killercoda': {
          const files = new ContentFiles(dir, { limits, assetRoot: scenarioRepository(dir), folderName: 'scenario folder', ...overlay });
          const r = readKillercoda(files, catalog, bases);
          return { document: r.content, problems: r.problems };
        }
        case 'iximiuz': {
          if (shape.kind === 'skill-path') return readSkillPath(plain, refResolver(plain.dir, catalog, ctx));
          if (shape.kind === 'course') return readCourse(plain, catalog, refResolver(plain.dir, catalog, ctx), bases);
          const r = readIximiuz(plain, catalog, bases);
          return { document: r.content, problems: r.problems };
        }
        case 'lesson': {
          const r = readLesson(plain, catalog, refResolver(plain.dir, catalog, ctx), bases);
          return { document: r.content, problems: r.problems };
        }
        case 'none':
          return { problems: [{ file: dir, message: shape.why }] };
      }
    } catch (err) {
      if (!(err instanceof ContentFileError)) throw err;
      return { problems: [{ file: err.rel === '.' ? dir : err.rel, message: err.message }] };
    }
  })();
  return { ...result, problems: result.problems.map((p) => ({ ...p, file: displayFile(dir, p.file) })) };
}

/**
 * Looks up what skill path units and course pages refer to: content in the folders next
 * to the one being read (and, in labctl's `<kind>s/<name>` layout, in the repository), then
 * the local catalog; playgrounds among the templates.
 */
export function refResolver(dir: string, catalog: TemplateLookup, ctx: ReadContext): RefResolver {
  const parent = path.dirname(dir);
  const nearby = KIND_FOLDERS.includes(path.basename(parent)) ? [path.dirname(parent), parent] : [parent];
  const roots = [...new Set([...nearby, ...(ctx.library ?? libraryRoots())].map((r) => path.resolve(r)))];
  return (kind, name) => {
    if (kind === 'playground') {
      const template = catalog.names().find((t) => normalizeName(t) === normalizeName(name));
      return template
        ? { found: { source: `template:${template}`, title: template, kind: 'playground' }, searched: '' }
        : { searched: `the templates (${catalog.names().join(', ')})` };
    }
    const entry = findInLibrary(name, roots);
    if (!entry) return { searched: roots.join(', ') };
    const { header } = readSummary(entry.dir, catalog, ctx);
    return { found: { source: entry.dir, title: header?.title ?? entry.name, kind: header?.kind ?? kind }, searched: '' };
  };
}

/**
 * A content folder's header, from its index alone (front matter or index.json; no
 * markdown parse), so a list stays quick however large the content is. Problems when the
 * index cannot be read; the full checks are `readDocument`'s.
 */
export function readSummary(dir: string, catalog: TemplateLookup, ctx: ReadContext = {}): { header?: ContentHeader; problems: ContentProblem[] } {
  const limits = ctx.limits ?? CONTENT_LIMITS;
  const problems: ContentProblem[] = [];
  try {
    const files = new ContentFiles(dir, { limits });
    const shape = folderShape(files);
    const base = { name: path.basename(files.dir), dir: files.dir };
    if (shape.format === 'none') return { problems: [{ file: dir, message: shape.why }] };
    if (shape.format === 'killercoda') {
      let data: unknown;
      try {
        data = JSON.parse(files.readText(KILLERCODA_INDEX));
      } catch (err) {
        if (err instanceof ContentFileError) throw err;
        return { problems: [{ file: displayFile(dir, KILLERCODA_INDEX), message: `bad JSON: ${errorMessage(err)}` }] };
      }
      const s = scenarioHeaderSchema.safeParse(data);
      if (!s.success)
        return { problems: [{ file: displayFile(dir, KILLERCODA_INDEX), message: 'expected "title" and "backend.imageid" (run sandlot content check)' }] };
      const template = templateForImage(s.data.backend.imageid, catalog.names());
      return {
        header: {
          ...base,
          kind: 'scenario',
          format: 'killercoda',
          title: s.data.title,
          description: (s.data.description ?? '').trim(),
          ...(template ? { template } : {}),
        },
        problems,
      };
    }
    const index = shape.format === 'lesson' ? NODE_INDEXES.find((f) => files.kind(f) === 'file') : IXIMIUZ_INDEX;
    if (!index) return { header: { ...base, kind: 'lesson', format: 'iximiuz', title: base.name, description: '' }, problems };
    const fm = frontMatterText(files.readText(index));
    const data = fm ? parseFrontMatter(fm, displayFile(dir, index), problems) : undefined;
    const h = headerSchema.safeParse(data);
    if (!h.success) {
      if (problems.length === 0)
        problems.push({ file: displayFile(dir, index), message: 'expected front matter with kind and title (run sandlot content check)' });
      return { problems };
    }
    return {
      header: {
        ...base,
        kind: h.data.kind,
        format: 'iximiuz',
        title: h.data.title,
        description: (h.data.description ?? '').trim(),
        ...(h.data.playground?.name ? { template: h.data.playground.name } : {}),
      },
      problems,
    };
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    return { problems: [{ file: displayFile(dir, err.rel === '.' ? dir : err.rel), message: err.message }] };
  }
}

const headerSchema = z
  .object({ kind: z.string(), title: z.string(), description: z.string().optional(), playground: z.object({ name: z.string().optional() }).loose().optional() })
  .loose();
const scenarioHeaderSchema = z.object({ title: z.string(), description: z.string().optional(), backend: z.object({ imageid: z.string() }).loose() }).loose();

export function headerOf(document: ContentDocument): ContentHeader {
  return {
    name: document.name,
    kind: document.kind,
    format: document.format,
    title: document.title,
    description: document.description,
    ...(isRunnable(document) ? { template: document.playground.template } : {}),
    dir: document.dir,
  };
}

/** Reads runnable content (tutorial, challenge, scenario, lesson) and checks it; problems are returned. */
export function checkContent(dir: string, catalog: TemplateLookup, ctx: ReadContext = {}): { content?: Content; problems: ContentProblem[] } {
  const { document, problems } = readDocument(dir, catalog, ctx);
  if (document && !isRunnable(document)) {
    return { problems: [...problems, { file: displayFile(dir, IXIMIUZ_INDEX), message: notRunnable(document.kind) }] };
  }
  return { content: document, problems };
}

export function notRunnable(kind: 'skill-path' | 'course'): string {
  return kind === 'skill-path'
    ? 'a skill path has no playground of its own: start one of its units (sandlot content show lists them)'
    : 'a course has no playground of its own: start one of its lessons by its folder (sandlot content show lists them)';
}

/** Reads content and throws a ContentError listing every problem. */
export function loadContent(target: string, catalog: TemplateLookup): Content {
  const dir = resolveContentDir(target);
  const { content, problems } = checkContent(dir, catalog);
  if (problems.length > 0 || !content) throw new ContentError(problems);
  return content;
}

/** `content/linux-basics/index.md` rather than a bare `index.md` in messages. */
export function displayFile(dir: string, file: string): string {
  if (path.isAbsolute(file)) return path.relative(process.cwd(), file) || file;
  const rel = path.relative(process.cwd(), path.join(dir, file));
  return rel.startsWith('..') ? path.join(dir, file) : rel;
}
