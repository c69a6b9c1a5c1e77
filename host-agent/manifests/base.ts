// `base`: the playground a manifest derives from. `flexbox` (or no base) allows any
// machine set. Any other base is a Sandlot template whose machines are kept: the manifest
// may list a subset of them and tweak each (the listed fields replace the template's;
// `resources` merge field by field; `startupFiles` come after the template's, so they win
// on the same path), but a machine the template does not have is refused. Everything
// else the manifest leaves out (networks, tabs, init tasks, registry auth, …) is the
// template's. The result names no base: it is complete on its own, so storing and
// loading it again never applies the base twice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../util/paths';
import type { ManifestInput, MachineManifest, PlaygroundManifest } from './schema';

export const FLEXBOX = 'flexbox';

/** Where bases come from: the template catalog (built-in templates, plus the user's in the agent). */
export interface BaseCatalog {
  get(name: string): PlaygroundManifest | undefined;
  names(): string[];
}

export function applyBase(input: ManifestInput, bases: BaseCatalog): { manifest?: PlaygroundManifest; problems: string[] } {
  const { base, ...rest } = input;
  if (base === undefined || base === FLEXBOX) {
    if (!input.playground.machines)
      return { problems: ['playground.machines: required field is missing (expected 1 to 5 machines; only a template base brings its own)'] };
    return { manifest: { ...rest, playground: { ...input.playground, machines: input.playground.machines } }, problems: [] };
  }
  const template = bases.get(base);
  if (!template) {
    return { problems: [`base: unknown base "${base}" (expected ${FLEXBOX} or a template: ${bases.names().join(', ')})`] };
  }
  const problems: string[] = [];
  const byName = new Map(template.playground.machines.map((m) => [m.name, m]));
  const machines = (input.playground.machines ?? template.playground.machines).flatMap((m, i) => {
    const original = byName.get(m.name);
    if (!original) {
      problems.push(
        `playground.machines[${i}].name: base "${base}" has no machine "${m.name}" (expected one of ${[...byName.keys()].join(', ')}; base ${FLEXBOX} allows any machines)`,
      );
      return [];
    }
    return [tweakMachine(original, m)];
  });
  if (problems.length > 0) return { problems };
  const own = input.playground;
  const manifest: PlaygroundManifest = {
    ...template,
    ...definedOnly(rest),
    playground: {
      ...template.playground,
      ...definedOnly(own),
      machines,
      ...(template.playground.initTasks || own.initTasks ? { initTasks: { ...template.playground.initTasks, ...own.initTasks } } : {}),
    },
  };
  delete manifest.base;
  return { manifest, problems };
}

function tweakMachine(original: MachineManifest, tweak: MachineManifest): MachineManifest {
  return {
    ...original,
    ...definedOnly(tweak),
    ...(original.resources || tweak.resources ? { resources: { ...original.resources, ...tweak.resources } } : {}),
    ...(original.startupFiles || tweak.startupFiles ? { startupFiles: [...(original.startupFiles ?? []), ...(tweak.startupFiles ?? [])] } : {}),
  };
}

/** Without keys set to undefined, so spreading it never erases the template's value. */
function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = { ...o };
  for (const key in out) if (out[key] === undefined) delete out[key];
  return out;
}

let builtin: Map<string, PlaygroundManifest> | undefined;

/**
 * The built-in templates as bases, read once. They are complete manifests without a base
 * of their own (the loader is passed in: this module sits below load.ts).
 */
export function builtinBases(load: (text: string, file: string) => PlaygroundManifest): BaseCatalog {
  if (!builtin) {
    const dir = path.join(repoRoot(), 'host-agent', 'templates');
    builtin = new Map();
    for (const f of fs.readdirSync(dir).filter((x) => /\.ya?ml$/.test(x))) {
      const file = path.join(dir, f);
      const m = load(fs.readFileSync(file, 'utf8'), file);
      builtin.set(m.name, m);
    }
  }
  const map = builtin;
  return { get: (name) => map.get(name), names: () => [...map.keys()].sort() };
}
