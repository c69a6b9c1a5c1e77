// The checks behind VS Code's content problems: the very validators `sandlot content check`
// and `sandlot manifest check` run (readDocument, loadManifest), here fed the editors'
// unsaved texts and answering per file with a range for each problem. No vscode import:
// the extension host calls it, unit tests too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDocument } from '../../host-agent/content/load';
import { basesFrom } from '../../host-agent/content/playground';
import { loadManifest, loadManifestText, ManifestError } from '../../host-agent/manifests/load';
import type { TemplateLookup } from '../../host-agent/playgrounds/catalog';
import type { PlaygroundManifest } from '../../host-agent/manifests/schema';
import { problemRange, splitManifestProblem, type TextRange } from './problem-range';

export interface FileProblem {
  message: string;
  range: TextRange;
}

/** index.md, index.json and a skill path's unit-*.md: the files that make a folder content. */
export function isContentIndex(file: string): boolean {
  return /^(index\.md|index\.json|unit-[^/\\]*\.md)$/.test(path.basename(file));
}

/** A YAML file whose top level says `kind: playground`. */
export function isManifestText(file: string, text: string): boolean {
  return /\.ya?ml$/.test(file) && /^kind:[ \t]*["']?playground["']?[ \t]*(#.*)?$/m.test(text);
}

function kindOf(file: string): 'markdown' | 'yaml' | 'json' {
  return file.endsWith('.json') ? 'json' : file.endsWith('.md') ? 'markdown' : 'yaml';
}

/** The content folder read by `sandlot content check`'s reader, editors' texts (by absolute path) standing in for files. */
export function readWithTexts(
  dir: string,
  lookup: TemplateLookup,
  templates: Record<string, PlaygroundManifest>,
  texts: ReadonlyMap<string, string>,
  library?: string[],
): ReturnType<typeof readDocument> {
  const overlay = new Map<string, string>();
  for (const [file, text] of texts) {
    try {
      overlay.set(fs.realpathSync.native(file), text);
    } catch {
      // Not on disk (yet): the reader would not find it either.
    }
  }
  return readDocument(dir, lookup, { templates, overlay, ...(library ? { library } : {}) });
}

/**
 * Every problem of the content folder `dir`, by absolute file. `texts` holds what editors
 * show (unsaved changes included) by absolute path; other files are read from disk.
 */
export function validateContentFolder(
  dir: string,
  lookup: TemplateLookup,
  templates: Record<string, PlaygroundManifest>,
  texts: ReadonlyMap<string, string>,
): Map<string, FileProblem[]> {
  const { problems } = readWithTexts(dir, lookup, templates, texts);
  const out = new Map<string, FileProblem[]>();
  for (const p of problems) {
    // The reader names files relative to the working directory, or the folder itself.
    const candidates = [path.resolve(p.file), path.resolve(dir, p.file)];
    let file = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (!file) file = path.join(dir, fs.existsSync(path.join(dir, 'index.json')) ? 'index.json' : 'index.md');
    const text = texts.get(file) ?? readOr(file);
    const list = out.get(file) ?? [];
    list.push({ message: p.message, range: problemRange(text, kindOf(file), p.where, p.message) });
    out.set(file, list);
  }
  return out;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The problems of one playground manifest (`sandlot manifest check`'s). */
export function validateManifestText(text: string, file: string, templates: Record<string, PlaygroundManifest>): FileProblem[] {
  try {
    loadManifest(text, path.basename(file), { bases: basesFrom(templates) });
    return [];
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return err.problems.map((line) => {
      const { where, message } = splitManifestProblem(line);
      return { message, range: problemRange(text, 'yaml', where, message) };
    });
  }
}

/** The template manifests of a templates folder (what `base:` and content `playground:` name). */
export function templateManifests(dir: string): Record<string, PlaygroundManifest> {
  const out: Record<string, PlaygroundManifest> = {};
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return out;
  }
  // A template may be based on another one read later: go round while that brings more.
  let left = names;
  while (left.length > 0) {
    const failed = left.filter((f) => {
      try {
        const m = loadManifestText(fs.readFileSync(path.join(dir, f), 'utf8'), f, { bases: basesFrom(out) });
        out[m.name] = m;
        return false;
      } catch {
        return true; // a broken template is the catalog's problem, reported by the agent
      }
    });
    if (failed.length === left.length) break;
    left = failed;
  }
  return out;
}
