// Turns manifest text into a validated PlaygroundManifest, or a ManifestError whose
// lines each name the file, the path of the field and what was expected.
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { applyBase, builtinBases, type BaseCatalog } from './base';
import { checkManifest } from './checks';
import { convertDeprecated } from './deprecated';
import { ManifestError } from './errors';
import { manifestInputSchema, type PlaygroundManifest } from './schema';

export { ManifestError };

/** `playground.machines[1].name` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return `${where}: required field is missing (expected ${issue.expected})`;
    }
    return `${where}: ${issue.message}`;
  });
}

/** Parses YAML text; syntax errors name the line and column. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ManifestError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const at = pos ? `line ${pos.line}, column ${pos.col}` : 'YAML';
        return `${at}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  return doc.toJS();
}

export interface LoadOptions {
  /** Templates a `base` may name; the built-in templates when not given. */
  bases?: BaseCatalog;
}

export interface LoadedManifest {
  manifest: PlaygroundManifest;
  /** Fields ignored because another form wins, deprecated forms converted: one line each, naming the field. */
  warnings: string[];
}

/** Validates parsed YAML: shape, base, then everything that spans fields. Throws ManifestError. */
export function validateManifestWithWarnings(data: unknown, file: string, opts: LoadOptions = {}): LoadedManifest {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ManifestError(file, ['expected a YAML mapping with `kind: playground`']);
  }
  const result = manifestInputSchema.safeParse(data);
  if (!result.success) throw new ManifestError(file, formatZodIssues(result.error));
  const based = applyBase(result.data, opts.bases ?? builtinBases(loadManifestText));
  if (!based.manifest) throw new ManifestError(file, based.problems);
  const converted = convertDeprecated(based.manifest);
  const { problems, warnings } = checkManifest(converted.manifest);
  if (problems.length > 0) throw new ManifestError(file, problems);
  return { manifest: converted.manifest, warnings: [...converted.warnings, ...warnings] };
}

export function validateManifest(data: unknown, file: string, opts: LoadOptions = {}): PlaygroundManifest {
  return validateManifestWithWarnings(data, file, opts).manifest;
}

export function loadManifest(text: string, file: string, opts: LoadOptions = {}): LoadedManifest {
  return validateManifestWithWarnings(parseYaml(text, file), file, opts);
}

export function loadManifestText(text: string, file: string, opts: LoadOptions = {}): PlaygroundManifest {
  return loadManifest(text, file, opts).manifest;
}
