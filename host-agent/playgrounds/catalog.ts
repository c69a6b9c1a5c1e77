// The template catalog: built-in manifests shipped in the repo (host-agent/templates/)
// plus any a user drops into $SANDLOT_HOME/templates. Each is validated on load; a
// broken user template is reported by name instead of hiding the rest. The one loader of
// templates: the agent, `sandlot content check` and content validation all read this.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TemplateSummary } from '../api/protocol';
import { loadManifestText, ManifestError } from '../manifests/load';
import type { PlaygroundManifest } from '../manifests/schema';
import { errorMessage } from '../util/errors';
import { parseOwnJson } from '../util/json';
import { repoRoot, sandlotPaths } from '../util/paths';

export interface CatalogEntry {
  summary: TemplateSummary;
  manifest: PlaygroundManifest;
  file: string;
  source: 'builtin' | 'user';
  /** A template saved from a run (`sandlot save`): the snapshot its playgrounds fork from. */
  snapshot?: string;
}

/** Beside `<name>.yaml`, a saved template's reference to its snapshot (written by snapshots/saved-templates.ts). */
export function snapshotRefFile(manifestFile: string): string {
  return manifestFile.replace(/\.ya?ml$/, '.snapshot.json');
}

function readSnapshotRef(manifestFile: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(snapshotRefFile(manifestFile), 'utf8');
  } catch {
    return undefined;
  }
  const ref = parseOwnJson<{ snapshot?: unknown }>(text);
  if (typeof ref?.snapshot !== 'string') throw new Error(`${snapshotRefFile(manifestFile)}: expected {"snapshot": "sn-…"}`);
  return ref.snapshot;
}

/** What content validation asks of the catalog: template names and their machines. */
export interface TemplateLookup {
  names(): string[];
  /** Machine names of a template, or undefined when there is no such template. */
  machines(template: string): string[] | undefined;
}

export function builtinTemplatesDir(): string {
  return path.join(repoRoot(), 'host-agent', 'templates');
}

/** Where templates come from, in order (a later directory's template overrides an earlier one of the same name). */
export function templateDirs(): { dir: string; source: 'builtin' | 'user' }[] {
  return [
    { dir: builtinTemplatesDir(), source: 'builtin' },
    { dir: sandlotPaths().userTemplates, source: 'user' },
  ];
}

export class TemplateCatalog implements TemplateLookup {
  private entries = new Map<string, CatalogEntry>();
  readonly problems: string[] = [];

  constructor(private readonly dirs: { dir: string; source: 'builtin' | 'user' }[]) {
    this.reload();
  }

  reload(): void {
    this.entries.clear();
    this.problems.length = 0;
    for (const { dir, source } of this.dirs) {
      let files: string[];
      try {
        files = fs
          .readdirSync(dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort();
      } catch {
        continue;
      }
      for (const f of files) {
        const file = path.join(dir, f);
        try {
          const manifest = loadManifestText(fs.readFileSync(file, 'utf8'), file);
          const snapshot = source === 'user' ? readSnapshotRef(file) : undefined;
          this.entries.set(manifest.name, {
            file,
            manifest,
            source,
            ...(snapshot ? { snapshot } : {}),
            summary: {
              name: manifest.name,
              title: manifest.title ?? manifest.name,
              description: manifest.description ?? '',
              driver: manifest.playground.driver,
              machines: manifest.playground.machines.map((m) => ({ name: m.name })),
              source,
              ...(snapshot ? { snapshot } : {}),
              ...(manifest.playground.initConditions?.values.length ? { initConditions: manifest.playground.initConditions.values } : {}),
            },
          });
        } catch (err) {
          this.problems.push(err instanceof ManifestError ? err.message : `${file}: ${errorMessage(err)}`);
        }
      }
    }
  }

  list(): TemplateSummary[] {
    return [...this.entries.values()].map((e) => e.summary);
  }

  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  machines(template: string): string[] | undefined {
    return this.entries.get(template)?.manifest.playground.machines.map((m) => m.name);
  }
}

/** A lookup over a plain map (template → machine names): what crosses a worker boundary. */
export function lookupFromMap(templates: Record<string, string[]>): TemplateLookup {
  return { names: () => Object.keys(templates).sort(), machines: (name) => templates[name] };
}
