// The template catalog as content validation sees it: names and machine names, read
// from the built-in templates and the user's own (`$SANDLOT_HOME/templates`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadManifestText } from '../manifests/load';
import { repoRoot, sandlotPaths } from '../util/paths';
import type { TemplateCatalog } from './validate';

/** Catalog over `<dir>/*.yaml` manifests; later directories override earlier ones. */
export function catalogFromDirs(dirs: string[]): TemplateCatalog {
  const templates = new Map<string, string[]>();
  for (const dir of dirs) {
    let files: string[];
    try {
      files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    } catch {
      continue; // no user templates yet
    }
    for (const f of files.sort()) {
      try {
        const m = loadManifestText(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f));
        templates.set(
          m.name,
          m.playground.machines.map((x) => x.name),
        );
      } catch {
        // A broken manifest is the catalog's problem to report, not the content's.
      }
    }
  }
  return {
    names: () => [...templates.keys()].sort(),
    machines: (name) => templates.get(name),
  };
}

export function catalogFromMap(templates: Record<string, string[]>): TemplateCatalog {
  return { names: () => Object.keys(templates).sort(), machines: (name) => templates[name] };
}

export function defaultCatalog(): TemplateCatalog {
  return catalogFromDirs([path.join(repoRoot(), 'host-agent', 'templates'), sandlotPaths().userTemplates]);
}
