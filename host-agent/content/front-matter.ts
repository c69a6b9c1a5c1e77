// The YAML head of an iximiuz Labs markdown file (`---` … `---`): found with a line scan
// (no markdown parse, so listing a catalog of content stays cheap), parsed with `yaml`, and
// checked with a zod schema whose problems name the file, the field and the line.
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../manifests/load';
import type { ContentProblem } from './errors';

export interface FrontMatterText {
  /** The YAML between the fences. */
  yaml: string;
  /** Line of index.md (1-based) where the YAML starts. */
  line: number;
}

/** The front matter of a markdown text, if it starts with a `---` line. */
export function frontMatterText(text: string): FrontMatterText | undefined {
  const open = /^---[ \t]*\r?\n/.exec(text);
  if (!open) return undefined;
  const close = /^---[ \t]*$/m;
  const rest = text.slice(open[0].length);
  const end = close.exec(rest);
  if (!end) return undefined;
  return { yaml: rest.slice(0, end.index), line: 2 };
}

/** Parses front matter YAML into a mapping; problems name `file` and the line in it. */
export function parseFrontMatter(fm: FrontMatterText, file: string, problems: ContentProblem[]): Record<string, unknown> | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(fm.yaml, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const where = `line ${lineCounter.linePos(e.pos[0]).line + fm.line - 1}`;
      problems.push({ file, where, message: `bad front matter YAML: ${e.message.split('\n')[0]}` });
    }
    return undefined;
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isMapping(data)) {
    problems.push({ file, where: 'front matter', message: 'expected a YAML mapping (kind, title, …)' });
    return undefined;
  }
  return data;
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Checks parsed front matter with a schema; each issue becomes one problem naming its field. */
export function checkFrontMatter<S extends z.ZodType>(schema: S, data: unknown, file: string, problems: ContentProblem[]): z.infer<S> | undefined {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
        : issue.code === 'invalid_type' && issue.input === undefined
          ? `required field is missing (expected ${issue.expected})`
          : issue.message;
    problems.push({ file, where: formatPath(issue.path), message });
  }
  return undefined;
}

/** The `kind:` of a markdown file's front matter, without checking anything else. */
export function frontMatterKind(text: string): string | undefined {
  const fm = frontMatterText(text);
  if (!fm) return undefined;
  const m = /^kind:[ \t]*["']?([A-Za-z-]+)["']?[ \t]*(#.*)?$/m.exec(fm.yaml);
  return m?.[1];
}
