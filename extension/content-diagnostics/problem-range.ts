// Where in a file a content or manifest problem is: the validators name a field path
// (`tasks.verify_a.needs[0]`) or a line (`line 12`, `line 3, column 5`); editors want a
// range. The path is looked up in the file's YAML (a markdown file's front matter, a
// manifest) or JSON (Killercoda's index.json, which `yaml` reads too); a field that is
// missing points at the closest one above it, an unknown field at its key. Pure: no vscode.
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Pair } from 'yaml';
import { frontMatterText } from '../../host-agent/content/front-matter';

/** 0-based, end exclusive, as VS Code's Range. */
export interface TextRange {
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

/** `tasks.verify_a.needs[0]` → ['tasks', 'verify_a', 'needs', 0]. */
export function parseFieldPath(where: string): (string | number)[] | undefined {
  if (!/^[A-Za-z_$][\w$-]*(\.[\w$-]+|\[\d+\])*$/.test(where)) return undefined;
  const parts: (string | number)[] = [];
  for (const m of where.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return parts;
}

function lineRange(text: string, line: number, column?: number): TextRange {
  const lines = text.split(/\r?\n/);
  const l = Math.min(Math.max(line, 0), Math.max(lines.length - 1, 0));
  const content = lines[l] ?? '';
  const start = column !== undefined ? Math.min(column, content.length) : content.length - content.trimStart().length;
  return { line: l, character: start, endLine: l, endCharacter: Math.max(content.length, start + 1) };
}

/** The YAML text of a file and the 0-based line it starts on. */
function yamlOf(text: string, kind: 'markdown' | 'yaml' | 'json'): { yaml: string; firstLine: number } | undefined {
  if (kind !== 'markdown') return { yaml: text, firstLine: 0 };
  const fm = frontMatterText(text);
  return fm ? { yaml: fm.yaml, firstLine: fm.line - 1 } : undefined;
}

/**
 * The range of a problem in `text`. `where` is what the validator said (a field path, or
 * `line N[, column M]` counted in the whole file); `message` helps with unknown fields.
 */
export function problemRange(text: string, kind: 'markdown' | 'yaml' | 'json', where: string | undefined, message = ''): TextRange {
  const at = where ? /^line (\d+)(?:, column (\d+))?$/.exec(where) : null;
  if (at) return lineRange(text, Number(at[1]) - 1, at[2] !== undefined ? Number(at[2]) - 1 : undefined);
  const src = yamlOf(text, kind);
  const path = where ? parseFieldPath(where) : undefined;
  if (!src || !path) return lineRange(text, src?.firstLine ?? 0);
  const counter = new LineCounter();
  const doc = parseDocument(src.yaml, { lineCounter: counter, keepSourceTokens: false });
  const unknown = /^unknown fields? "([^"]+)"/.exec(message)?.[1];
  const wanted = unknown !== undefined ? [...path, unknown] : path;
  // The deepest node on the path that exists: its key when the path ends at a mapping entry.
  let range: [number, number] | undefined;
  let node: unknown = doc.contents;
  for (const part of wanted) {
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      if (isNode(pair.key) && pair.key.range) range = [pair.key.range[0], pair.key.range[1]];
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item: unknown = node.items[part];
      if (!isNode(item)) break;
      if (item.range) range = [item.range[0], item.range[1]];
      node = item;
    } else {
      break;
    }
  }
  if (!range) return lineRange(text, src.firstLine);
  const start = counter.linePos(range[0]);
  const end = counter.linePos(range[1]);
  return { line: src.firstLine + start.line - 1, character: start.col - 1, endLine: src.firstLine + end.line - 1, endCharacter: end.col - 1 };
}

/** A manifest problem line (`playground.machines[0].name: expected …`, `line 3, column 5: …`) split into where and what. */
export function splitManifestProblem(line: string): { where?: string; message: string } {
  const m = /^(line \d+(?:, column \d+)?|\(top level\)|[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])*): (.*)$/s.exec(line);
  if (!m) return { message: line };
  return m[1] === '(top level)' ? { message: m[2] } : { where: m[1], message: m[2] };
}
