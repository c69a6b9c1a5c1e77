// Reads an iximiuz Labs skill path folder: `index.md` (`kind: skill-path`, the intro) and
// `unit-NN.md` files in the order of their numbers, each a page that points at other
// content through front matter maps (`challenges: {name: {}}`, `tutorials:`, …). Each
// reference is looked up in the local content catalog; one that is not there is listed
// as a problem naming the unit, the map and where it was looked for.
import * as path from 'node:path';
import type { ContentProblem } from './errors';
import { ContentFileError, type ContentFiles } from './files';
import { checkFrontMatter, parseFrontMatter } from './front-matter';
import { readMarkdown } from './iximiuz';
import { IXIMIUZ_INDEX } from './library';
import type { Block, CollectionHeader, ContentRef, ContentRefKind, SkillPath, SkillPathUnit } from './model';
import { REFERENCE_MAPS, skillPathSchema, unitSchema } from './schema';
import { checkImage, checkStaticFolder } from './validate';

/** Looks a reference up: its folder, title and kind when found, else what was searched (for the message). */
export type RefResolver = (kind: ContentRefKind, name: string) => { found?: ContentRef['found']; searched: string };

const UNIT_FILE = /^unit-(\d+)\.md$/;

/** `unit-10.md`, `unit-20.md`, … in numeric order (`unit-100.md` after `unit-20.md`). */
export function unitFiles(names: string[]): string[] {
  return names.filter((n) => UNIT_FILE.test(n)).sort((a, b) => Number(UNIT_FILE.exec(a)![1]) - Number(UNIT_FILE.exec(b)![1]) || a.localeCompare(b));
}

/** References a page's front matter maps declare, each looked up. */
export function pageRefs(data: Record<string, unknown>, file: string, resolve: RefResolver, problems: ContentProblem[]): ContentRef[] {
  const refs: ContentRef[] = [];
  for (const [map, kind] of Object.entries(REFERENCE_MAPS)) {
    const entries = data[map];
    if (typeof entries !== 'object' || entries === null) continue;
    for (const name of Object.keys(entries)) {
      const { found, searched } = resolve(kind, name);
      refs.push({ kind, name, ...(found ? { found } : {}) });
      // A roadmap has no local equivalent and no completion: it is shown, never missing.
      if (!found && kind !== 'roadmap')
        problems.push({ file, where: `${map}.${name}`, message: `${kind} "${name}" is not in the local content catalog (looked in ${searched})` });
    }
  }
  return refs;
}

/** Image refs of a page, relative to the content folder; problems name the page file. */
function checkImages(files: ContentFiles, file: string, refs: { kind: string; src?: string; line: number }[], base: string, problems: ContentProblem[]): void {
  for (const r of refs) {
    if (r.kind !== 'image' || r.src === undefined) continue;
    const src = /^[a-z]+:/i.test(r.src) || base === '.' ? r.src : path.posix.join(base, r.src);
    const problem = checkImage(files, src);
    if (problem) problems.push({ file, where: `line ${r.line}`, message: problem });
  }
}

export function readSkillPath(files: ContentFiles, resolve: RefResolver): { document?: SkillPath; problems: ContentProblem[] } {
  const problems: ContentProblem[] = [];
  const index = readMarkdown(files, IXIMIUZ_INDEX, problems);
  if (!index) return { problems };
  const data = parseFrontMatter({ yaml: index.frontMatter ?? '', line: index.frontMatterLine ?? 2 }, IXIMIUZ_INDEX, problems);
  const fm = data && checkFrontMatter(skillPathSchema, data, IXIMIUZ_INDEX, problems);
  if (!fm) return { problems };
  checkImages(files, IXIMIUZ_INDEX, index.refs, '.', problems);

  let names: string[];
  try {
    names = files
      .list('.')
      .filter((e) => e.kind === 'file')
      .map((e) => e.name);
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    return { problems: [...problems, { file: err.rel, message: err.message }] };
  }
  const units: SkillPathUnit[] = [];
  for (const file of unitFiles(names)) {
    const md = readMarkdown(files, file, problems);
    if (!md) continue;
    const unitData = parseFrontMatter({ yaml: md.frontMatter ?? '', line: md.frontMatterLine ?? 2 }, file, problems);
    const unit = unitData && checkFrontMatter(unitSchema, unitData, file, problems);
    if (!unit || !unitData) continue;
    checkImages(files, file, md.refs, '.', problems);
    const name = unit.name ?? file.replace(/\.md$/, '');
    units.push({ file, name, title: unit.title, page: { title: unit.title, blocks: md.blocks }, refs: pageRefs(unitData, file, resolve, problems) });
  }
  if (units.length === 0) problems.push({ file: '.', message: 'a skill path needs unit files next to its index.md (unit-10.md, unit-20.md, …)' });
  problems.push(...checkStaticFolder(files, '__static__'));
  return {
    document: {
      kind: 'skill-path',
      ...collectionHeader(files, fm, index.blocks),
      units,
    },
    problems,
  };
}

/** The parts a skill path and a course share: names, the intro page from index.md, assets. */
export function collectionHeader(files: ContentFiles, fm: { title: string; description?: string }, intro: Block[]): CollectionHeader {
  return {
    format: 'iximiuz',
    name: path.basename(files.dir),
    title: fm.title,
    description: (fm.description ?? '').trim(),
    dir: files.dir,
    intro: { title: fm.title, blocks: intro },
    assets: files.assets(),
  };
}
