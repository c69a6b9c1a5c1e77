// Entry point for reading content: a folder (iximiuz `index.md` — a tutorial, challenge,
// skill path or course —, a course lesson folder, or a Killercoda `index.json`) or the
// name of content in the local catalog (built-ins, `$SANDLOT_HOME/content`). These
// functions are synchronous and unbounded in time: the agent and the CLI call them only
// inside the content reader worker (reader.ts); tests call them directly.
import * as path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../util/errors';
import { ContentError, type ContentProblem } from './errors';
import { ContentFileError, ContentFiles } from './files';
import { frontMatterKind, frontMatterText, parseFrontMatter } from './front-matter';
import { readIximiuz } from './iximiuz';
import { readKillercoda, scenarioRepository, templateForImage } from './killercoda';
import { builtinContentDir, findInLibrary, IXIMIUZ_INDEX, isContentFolder, KILLERCODA_INDEX, libraryRoots, rootEntries } from './library';
import { CONTENT_LIMITS, type ContentLimits } from './limits';
import { isRunnable, type Content, type ContentDocument, type ContentHeader } from './model';
import type { TemplateCatalog } from './validate';

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
}

/** The first lines of a lesson folder: `000.index.md` or `0.index.md`, or just units. */
export const LESSON_INDEXES = ['000.index.md', '00.index.md', '0.index.md'];

type Shape = { format: 'killercoda' } | { format: 'iximiuz'; kind: string | undefined } | { format: 'lesson' } | { format: 'none'; why: string };

/** What a folder holds, from its index file's name and `kind:` (read without parsing it). */
export function folderShape(files: ContentFiles): Shape {
  if (files.kind(KILLERCODA_INDEX) === 'file') return { format: 'killercoda' };
  if (files.kind(IXIMIUZ_INDEX) === 'file') return { format: 'iximiuz', kind: frontMatterKind(files.readHead(IXIMIUZ_INDEX)) };
  if (LESSON_INDEXES.some((f) => files.kind(f) === 'file')) return { format: 'lesson' };
  return { format: 'none', why: `expected ${IXIMIUZ_INDEX} (iximiuz Labs), ${KILLERCODA_INDEX} (Killercoda) or a lesson's 000.index.md in this folder` };
}

/** Reads any content document; problems are returned, not thrown. */
export function readDocument(dir: string, catalog: TemplateCatalog, ctx: ReadContext = {}): { document?: ContentDocument; problems: ContentProblem[] } {
  const limits = ctx.limits ?? CONTENT_LIMITS;
  const result = ((): { document?: ContentDocument; problems: ContentProblem[] } => {
    try {
      const plain = new ContentFiles(dir, { limits });
      const shape = folderShape(plain);
      switch (shape.format) {
        case 'killercoda': {
          const files = new ContentFiles(dir, { limits, assetRoot: scenarioRepository(dir), folderName: 'scenario folder' });
          const r = readKillercoda(files, catalog);
          return { document: r.content, problems: r.problems };
        }
        case 'iximiuz': {
          if (shape.kind === 'skill-path' || shape.kind === 'course' || shape.kind === 'lesson') {
            return { problems: [{ file: IXIMIUZ_INDEX, where: 'kind', message: `"${shape.kind}" content cannot be read by this version of Sandlot yet` }] };
          }
          const r = readIximiuz(plain, catalog);
          return { document: r.content, problems: r.problems };
        }
        case 'lesson':
          return { problems: [{ file: dir, message: 'course lessons cannot be read by this version of Sandlot yet' }] };
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
 * A content folder's header, from its index alone (front matter or index.json; no
 * markdown parse), so a list stays quick however large the content is. Problems when the
 * index cannot be read; the full checks are `readDocument`'s.
 */
export function readSummary(dir: string, catalog: TemplateCatalog, ctx: ReadContext = {}): { header?: ContentHeader; problems: ContentProblem[] } {
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
    const index = shape.format === 'lesson' ? LESSON_INDEXES.find((f) => files.kind(f) === 'file')! : IXIMIUZ_INDEX;
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
export function checkContent(dir: string, catalog: TemplateCatalog, ctx: ReadContext = {}): { content?: Content; problems: ContentProblem[] } {
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
export function loadContent(target: string, catalog: TemplateCatalog): Content {
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
