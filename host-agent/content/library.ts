// The local content catalog: the folders content is found in — the built-ins, the user's
// `$SANDLOT_HOME/content`, and folders given on the command line — and the content folders
// in them. A folder is content when it holds `index.md` or `index.json`. Both layouts
// content repositories use are read: content folders right in the root, and labctl's
// `<kind>s/<name>/` (`challenges/`, `tutorials/`, `skill-paths/`, `courses/`). Names match
// the way iximiuz Labs front matter writes them: `-` and `_` are the same.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, sandlotHome } from '../util/paths';

export const IXIMIUZ_INDEX = 'index.md';
export const KILLERCODA_INDEX = 'index.json';
export const KIND_FOLDERS = ['challenges', 'tutorials', 'skill-paths', 'courses'];
/** Entries looked at per root: a content folder holds tens, not thousands. */
const MAX_ENTRIES = 2000;

export function builtinContentDir(): string {
  return path.join(repoRoot(), 'builtin-content');
}

export function userContentDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(sandlotHome(env), 'content');
}

/** The roots, in lookup order: later ones shadow nothing, the first match wins. */
export function libraryRoots(extra: string[] = []): string[] {
  return [...extra.map((d) => path.resolve(d)), ...builtinRoots(), userContentDir()];
}

/** The built-in content, where there is a checkout beside the code (a packaged extension has none). */
function builtinRoots(): string[] {
  try {
    return [builtinContentDir()];
  } catch {
    return [];
  }
}

export interface LibraryEntry {
  /** The folder name (`linux-basics`). */
  name: string;
  dir: string;
  /** The root it was found in. */
  root: string;
}

export function isContentFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, IXIMIUZ_INDEX)) || fs.existsSync(path.join(dir, KILLERCODA_INDEX));
}

function subfolders(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .slice(0, MAX_ENTRIES)
      .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return []; // no such root (no user content yet)
  }
}

/** Content folders in one root: `root/<name>` and `root/<kind>s/<name>`. */
export function rootEntries(root: string): LibraryEntry[] {
  const out: LibraryEntry[] = [];
  for (const name of subfolders(root)) {
    const dir = path.join(root, name);
    if (isContentFolder(dir)) out.push({ name, dir, root });
    else if (KIND_FOLDERS.includes(name))
      for (const inner of subfolders(dir)) if (isContentFolder(path.join(dir, inner))) out.push({ name: inner, dir: path.join(dir, inner), root });
  }
  return out;
}

/** Every content folder in the roots; a name found in an earlier root hides later ones. */
export function libraryEntries(roots: string[]): LibraryEntry[] {
  const seen = new Set<string>();
  const out: LibraryEntry[] = [];
  for (const root of roots) {
    for (const e of rootEntries(root)) {
      if (seen.has(normalizeName(e.name))) continue;
      seen.add(normalizeName(e.name));
      out.push(e);
    }
  }
  return out;
}

/** `kubernetes_pod_with_faulty_init` and `kubernetes-pod-with-faulty-init` name the same content. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

export function findInLibrary(name: string, roots: string[]): LibraryEntry | undefined {
  const want = normalizeName(name);
  return libraryEntries(roots).find((e) => normalizeName(e.name) === want);
}
