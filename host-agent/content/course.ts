// Reads an iximiuz Labs course: a folder tree of numbered folders (`N.name/`), in the order
// of their numbers. The course folder holds `index.md` (`kind: course`); a module folder
// holds `0.index.md` (`kind: module`) and lesson folders; a lesson folder holds
// `000.index.md` (`kind: lesson`, maybe with a `playground:` and `tasks:`) and its pages,
// `unit-NNN.md` (`kind: unit`). Index files are optional where the folder's contents say
// what it is. A course is read; a lesson with a playground can also be started on its own
// (`sandlot content start <course>/<module>/<lesson>`), its units as its pages.
import type { TemplateLookup } from '../playgrounds/catalog';
import * as path from 'node:path';
import type { BaseCatalog } from '../manifests/base';
import type { ContentProblem } from './errors';
import { ContentFileError, type ContentFiles, type EntryKind } from './files';
import { checkFrontMatter, frontMatterKind, parseFrontMatter } from './front-matter';
import { contentPlayground, readMarkdown, taskSpecs } from './iximiuz';
import { IXIMIUZ_INDEX } from './library';
import { rebaseImages, type MarkdownRef, type ParsedMarkdown } from './markdown';
import type { Content, ContentRef, Course, CourseLesson, CourseModule, Page, TaskSpec } from './model';
import { courseNodeSchema, unitSchema, type NodeFrontMatter, type TaskFrontMatter } from './schema';
import { collectionHeader, pageRefs, unitFiles, type RefResolver } from './skill-path';
import { checkImage, checkStaticFolder, validateContent, type RefsByFile } from './validate';

/** Index file names of modules and lessons, most specific first. */
export const NODE_INDEXES = ['000.index.md', '00.index.md', '0.index.md'];
const NUMBERED = /^(\d+)\.(.+)$/;

interface Entry {
  name: string;
  kind: EntryKind;
}

/** `020.getting-started` → number 20, label `getting-started`; unnumbered folders are not part of the tree. */
export function numberedFolders(entries: Entry[]): { name: string; order: number; label: string }[] {
  return entries
    .flatMap((e) => {
      const m = e.kind === 'dir' ? NUMBERED.exec(e.name) : null;
      return m ? [{ name: e.name, order: Number(m[1]), label: m[2] }] : [];
    })
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

const join = (rel: string, name: string) => (rel === '.' ? name : `${rel}/${name}`);
const titleOf = (label: string) => label.replace(/[-_]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

class CourseReader {
  readonly problems: ContentProblem[] = [];

  constructor(
    readonly files: ContentFiles,
    readonly catalog: TemplateLookup,
    readonly resolve: RefResolver,
    readonly bases?: BaseCatalog,
  ) {}

  list(rel: string): Entry[] {
    try {
      return this.files.list(rel);
    } catch (err) {
      if (!(err instanceof ContentFileError)) throw err;
      this.problems.push({ file: err.rel, message: err.message });
      return [];
    }
  }

  /** The index file of a module or lesson folder, if it has one. */
  indexOf(rel: string, entries: Entry[]): string | undefined {
    const name = NODE_INDEXES.find((f) => entries.some((e) => e.name === f && e.kind === 'file'));
    return name ? join(rel, name) : undefined;
  }

  /** What a numbered folder is: its index's `kind`, else a lesson when it has units. */
  nodeKind(rel: string): 'module' | 'lesson' {
    const entries = this.list(rel);
    const index = this.indexOf(rel, entries);
    const kind = index ? frontMatterKind(this.files.readHead(index)) : undefined;
    if (kind === 'module' || kind === 'lesson') return kind;
    return unitFiles(entries.map((e) => e.name)).length > 0 ? 'lesson' : 'module';
  }

  /** Front matter of a module or lesson index, checked; empty when the folder has none. */
  node(kind: 'module' | 'lesson' | 'course', file: string | undefined): { fm?: NodeFrontMatter; data?: Record<string, unknown>; md?: ParsedMarkdown } {
    if (!file) return {};
    const md = readMarkdown(this.files, file, this.problems);
    if (!md) return {};
    const data = parseFrontMatter({ yaml: md.frontMatter ?? '', line: md.frontMatterLine ?? 2 }, file, this.problems);
    const fm = data && checkFrontMatter(courseNodeSchema(kind), data, file, this.problems);
    return fm && data ? { fm, data, md } : {};
  }

  /** A lesson folder; `content` when it declares a playground (then it can be started). */
  lesson(rel: string, label: string): { lesson: CourseLesson; content?: Content } {
    const entries = this.list(rel);
    const indexFile = this.indexOf(rel, entries);
    const { fm, data, md: indexMd } = this.node('lesson', indexFile);
    const title = fm?.title ?? titleOf(label);
    const refs: ContentRef[] = data && indexFile ? pageRefs(data, indexFile, this.resolve, this.problems) : [];
    const pages: Page[] = [];
    const markdown: RefsByFile[] = [];
    const parsed: ParsedMarkdown[] = indexMd ? [indexMd] : [];
    const unitTasks: Record<string, TaskFrontMatter> = {};
    if (indexMd && indexMd.blocks.length > 0) pages.push({ title, blocks: this.rebased(indexMd, rel, indexFile!, markdown) });
    for (const unitName of unitFiles(entries.filter((e) => e.kind === 'file').map((e) => e.name))) {
      const file = join(rel, unitName);
      const md = readMarkdown(this.files, file, this.problems);
      if (!md) continue;
      const unitData = parseFrontMatter({ yaml: md.frontMatter ?? '', line: md.frontMatterLine ?? 2 }, file, this.problems);
      const unit = unitData && checkFrontMatter(unitSchema, unitData, file, this.problems);
      if (!unit || !unitData) continue;
      refs.push(...pageRefs(unitData, file, this.resolve, this.problems));
      for (const [name, t] of Object.entries(unit.tasks ?? {})) {
        if (name in unitTasks || (fm?.tasks && name in fm.tasks))
          this.problems.push({ file, where: `tasks.${name}`, message: 'a task of that name is already defined in this lesson' });
        else unitTasks[name] = t;
      }
      parsed.push(md);
      pages.push({ title: unit.title, blocks: this.rebased(md, rel, file, markdown) });
    }
    if (pages.length === 0) this.problems.push({ file: rel, message: 'a lesson needs unit files (unit-010.md, unit-020.md, …) or text in its index' });
    this.problems.push(...checkStaticFolder(this.files, join(rel, '__static__')));
    const problemsFile = indexFile ?? rel;
    const tasks = taskSpecs({ ...(fm?.tasks ?? {}), ...unitTasks }, parsed, problemsFile, this.problems);
    const name = fm?.name ?? label;
    const lesson: CourseLesson = {
      name,
      title,
      description: (fm?.description ?? '').trim(),
      path: rel,
      pages,
      ...(fm?.playground ? { template: fm.playground.name } : {}),
      tasks: Object.values(tasks).map((t: TaskSpec) => ({ name: t.name, kind: t.kind })),
      refs,
    };
    const shown = markdown.some((m) => m.refs.some((r) => r.kind === 'task'));
    if (!fm?.playground) {
      if (Object.keys(tasks).length > 0 || shown) {
        this.problems.push({
          file: problemsFile,
          where: 'playground',
          message: 'the lesson has tasks but no playground to run them on (expected playground.name)',
        });
      }
      return { lesson };
    }
    const content: Content = {
      name,
      kind: 'lesson',
      format: 'iximiuz',
      title,
      description: lesson.description,
      dir: rel === '.' ? this.files.dir : path.join(this.files.dir, rel),
      playground: contentPlayground(fm.playground),
      tasks,
      pages,
    };
    // Images were rebased to the content root for the course; checked there.
    this.problems.push(
      ...validateContent(
        content,
        problemsFile,
        markdown.map((m) => ({ ...m, refs: m.refs.filter((r) => r.kind === 'task') })),
        this.catalog,
        this.files,
        this.bases ? { bases: this.bases } : {},
      ),
    );
    return { lesson, content };
  }

  /** The page's blocks with image paths relative to the content root; images checked; task refs kept for validation. */
  private rebased(md: ParsedMarkdown, rel: string, file: string, out: RefsByFile[]): Page['blocks'] {
    rebaseImages(md.blocks, rel);
    const refs: MarkdownRef[] = [];
    for (const r of md.refs) {
      if (r.kind !== 'image') {
        refs.push(r);
        continue;
      }
      const src = /^[a-z]+:/i.test(r.src) || rel === '.' ? r.src : path.posix.join(rel, r.src);
      const problem = checkImage(this.files, src);
      if (problem) this.problems.push({ file, where: `line ${r.line}`, message: problem });
    }
    out.push({ file, refs });
    return md.blocks;
  }
}

export function readCourse(
  files: ContentFiles,
  catalog: TemplateLookup,
  resolve: RefResolver,
  bases?: BaseCatalog,
): { document?: Course; problems: ContentProblem[] } {
  const reader = new CourseReader(files, catalog, resolve, bases);
  const { fm, md } = reader.node('course', IXIMIUZ_INDEX);
  if (!fm || !md) return { problems: reader.problems };
  const modules: CourseModule[] = [];
  let loose: CourseModule | undefined;
  for (const top of numberedFolders(reader.list('.'))) {
    if (reader.nodeKind(top.name) === 'lesson') {
      // Lessons right in the course folder: one module without a folder of its own.
      loose ??= { name: '', title: fm.title, description: '', path: '.', lessons: [] };
      if (!modules.includes(loose)) modules.push(loose);
      loose.lessons.push(reader.lesson(top.name, top.label).lesson);
      continue;
    }
    const entries = reader.list(top.name);
    const { fm: mod } = reader.node('module', reader.indexOf(top.name, entries));
    const lessons = numberedFolders(entries).map((l) => reader.lesson(join(top.name, l.name), l.label).lesson);
    if (lessons.length === 0) reader.problems.push({ file: top.name, message: 'a module needs numbered lesson folders (10.first-lesson/, 20.next/, …)' });
    modules.push({
      name: mod?.name ?? top.label,
      title: mod?.title ?? titleOf(top.label),
      description: (mod?.description ?? '').trim(),
      path: top.name,
      lessons,
    });
  }
  if (modules.length === 0) reader.problems.push({ file: '.', message: 'a course needs numbered module or lesson folders (010.intro/, 020.next/, …)' });
  reader.problems.push(...checkStaticFolder(files, '__static__'));
  return {
    document: {
      kind: 'course',
      ...collectionHeader(files, fm, md.blocks),
      modules,
    },
    problems: reader.problems,
  };
}

/** A lesson folder on its own: runnable content when it declares a playground. */
export function readLesson(
  files: ContentFiles,
  catalog: TemplateLookup,
  resolve: RefResolver,
  bases?: BaseCatalog,
): { content?: Content; problems: ContentProblem[] } {
  const reader = new CourseReader(files, catalog, resolve, bases);
  const label = NUMBERED.exec(path.basename(files.dir))?.[2] ?? path.basename(files.dir);
  const { content } = reader.lesson('.', label);
  if (!content && reader.problems.length === 0) {
    reader.problems.push({ file: '.', message: 'this lesson declares no playground, so there is nothing to start: read it in its course' });
  }
  if (content) content.assets = files.assets();
  return { ...(content ? { content } : {}), problems: reader.problems };
}
