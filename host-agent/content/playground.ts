// The playground manifest a piece of content runs on. Front matter `playground:` is a
// manifest's playground section whose `name` is its base template, so it becomes exactly
// that — `{kind: playground, base: <name>, playground: <the rest>}` — and the manifest
// loader (manifests/) validates it and applies the base: listed machines are a subset of
// the template's, tweaked; networks, tabs, registryAuth, … replace the template's. One
// schema and one set of rules for manifests and content.
import { ManifestError, validateManifestWithWarnings, type LoadedManifest } from '../manifests/load';
import type { BaseCatalog } from '../manifests/base';
import type { ManifestInput, PlaygroundManifest } from '../manifests/schema';
import type { Content } from './model';

/** A DNS label from a content name (`Linux_Basics` → `linux-basics`), as manifests name themselves. */
export function manifestName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'content';
}

export function contentManifestInput(content: Pick<Content, 'name' | 'title' | 'playground'>): ManifestInput {
  return {
    kind: 'playground',
    name: manifestName(content.name),
    // Manifest titles are capped at 120 characters; content titles are not.
    title: content.title.slice(0, 120),
    base: content.playground.template,
    playground: content.playground.section ?? {},
  };
}

/**
 * The complete manifest for content (its base applied, checked), with the loader's
 * warnings. Throws ManifestError whose lines name `playground.…` fields as front matter
 * writes them.
 */
export function manifestForContent(content: Pick<Content, 'name' | 'title' | 'playground'>, bases: BaseCatalog): LoadedManifest {
  return validateManifestWithWarnings(contentManifestInput(content), 'playground', { bases });
}

/** The same check, as problem messages (`playground.machines[0].name: …`); none when it holds. */
export function playgroundProblems(content: Pick<Content, 'name' | 'title' | 'playground'>, bases: BaseCatalog): string[] {
  try {
    manifestForContent(content, bases);
    return [];
  } catch (err) {
    if (err instanceof ManifestError) return err.problems;
    throw err;
  }
}

/** Bases from a map of template manifests (what the agent and the CLI know). */
export function basesFrom(templates: Record<string, PlaygroundManifest>): BaseCatalog {
  return { get: (name) => templates[name], names: () => Object.keys(templates).sort() };
}

/** Machine the engine uses for tasks without `machine`: the first of the playground. */
export function defaultMachine(manifest: PlaygroundManifest): string {
  return manifest.playground.machines[0].name;
}
