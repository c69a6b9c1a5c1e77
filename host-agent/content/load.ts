// Entry point for reading content: a folder (iximiuz `index.md` or Killercoda
// `index.json`) or the name of a built-in (`content/<name>` in the checkout).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../util/paths';
import { ContentError, type ContentProblem } from './errors';
import { IXIMIUZ_INDEX, loadIximiuz } from './iximiuz';
import { KILLERCODA_INDEX, loadKillercoda } from './killercoda';
import type { Content } from './model';
import type { TemplateLookup } from '../playgrounds/catalog';

export function builtinContentDir(): string {
  return path.join(repoRoot(), 'builtin-content');
}

export interface BuiltinContentSummary {
  name: string;
  dir: string;
}

export function listBuiltinContent(root = builtinContentDir()): BuiltinContentSummary[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((n) => fs.existsSync(path.join(root, n, IXIMIUZ_INDEX)) || fs.existsSync(path.join(root, n, KILLERCODA_INDEX)))
    .sort()
    .map((name) => ({ name, dir: path.join(root, name) }));
}

/** A path (anything with a `/` or an existing folder) or a built-in name → folder. */
export function resolveContentDir(target: string, builtinRoot = builtinContentDir()): string {
  if (target.includes('/') || target.startsWith('.') || fs.existsSync(target)) return path.resolve(target);
  const dir = path.join(builtinRoot, target);
  if (fs.existsSync(dir)) return dir;
  const names = listBuiltinContent(builtinRoot).map((c) => c.name);
  throw new ContentError([{ file: target, message: `no such folder and no built-in content of that name (built-ins: ${names.join(', ') || 'none'})` }]);
}

/** Reads and checks content; problems are returned, not thrown (for `content check`). */
export function checkContent(dir: string, catalog: TemplateLookup): { content?: Content; problems: ContentProblem[] } {
  const read = (): { content?: Content; problems: ContentProblem[] } => {
    if (fs.existsSync(path.join(dir, IXIMIUZ_INDEX))) return loadIximiuz(dir, catalog);
    if (fs.existsSync(path.join(dir, KILLERCODA_INDEX))) return loadKillercoda(dir, catalog);
    const what = fs.existsSync(dir) ? `expected ${IXIMIUZ_INDEX} (iximiuz Labs) or ${KILLERCODA_INDEX} (Killercoda) in this folder` : 'no such folder';
    return { problems: [{ file: dir, message: what }] };
  };
  const result = read();
  return { ...result, problems: result.problems.map((p) => ({ ...p, file: displayFile(dir, p.file) })) };
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
