// The playground manifest a piece of content runs on: its template, narrowed to the
// machines the content lists (iximiuz Labs: listing machines picks a subset), with the
// content's per-machine overrides (`resources`, `users`, `startupFiles`, `noSSH`) applied.
// Further `playground:` and machine fields the content carries (`tabs`, `networks`,
// `drives`, …) go into the manifest as soon as the manifest schema knows them; until then
// they are reported by `carriedFieldsNotApplied` instead of being dropped silently.
import { machineSchema, playgroundManifestSchema, type PlaygroundManifest } from '../manifests/schema';
import type { Content } from './model';

const manifestPlaygroundFields = (): Set<string> => new Set(Object.keys(playgroundManifestSchema.shape.playground.shape));
const manifestMachineFields = (): Set<string> => new Set(Object.keys(machineSchema.shape));

export function manifestForContent(content: Pick<Content, 'name' | 'title' | 'playground'>, template: PlaygroundManifest): PlaygroundManifest {
  const overrides = content.playground.machines;
  const byName = new Map((overrides ?? []).map((m) => [m.name, m]));
  for (const name of byName.keys()) {
    if (!template.playground.machines.some((m) => m.name === name)) {
      throw new Error(
        `${content.name}: playground.machines: unknown machine "${name}" (template "${template.name}" has ${template.playground.machines.map((m) => m.name).join(', ')})`,
      );
    }
  }
  const playgroundKeys = manifestPlaygroundFields();
  const machineKeys = manifestMachineFields();
  const known = (fields: Record<string, unknown> | undefined, keys: Set<string>) =>
    Object.fromEntries(Object.entries(fields ?? {}).filter(([k]) => keys.has(k)));
  const machines = template.playground.machines
    .filter((m) => !overrides || byName.has(m.name))
    .map((m) => {
      const o = byName.get(m.name);
      if (!o) return m;
      return {
        ...m,
        ...known(o.fields, machineKeys),
        ...(o.resources ? { resources: { ...m.resources, ...o.resources } } : {}),
        ...(o.users ? { users: o.users } : {}),
        // Content files come after the template's, so they win on the same path.
        ...(o.startupFiles ? { startupFiles: [...(m.startupFiles ?? []), ...o.startupFiles] } : {}),
        ...(o.noSSH !== undefined ? { noSSH: o.noSSH } : {}),
      };
    });
  // The manifest schema checks the result again when the playground is created.
  return {
    ...template,
    title: content.title,
    playground: { ...template.playground, ...known(content.playground.fields, playgroundKeys), machines },
  };
}

/** `playground.tabs`, `playground.machines[0].drives`, …: carried fields the manifest schema cannot take yet. */
export function carriedFieldsNotApplied(content: Pick<Content, 'playground'>): string[] {
  const playgroundKeys = manifestPlaygroundFields();
  const machineKeys = manifestMachineFields();
  const out = Object.keys(content.playground.fields ?? {})
    .filter((k) => !playgroundKeys.has(k))
    .map((k) => `playground.${k}`);
  (content.playground.machines ?? []).forEach((m, i) => {
    for (const k of Object.keys(m.fields ?? {})) if (!machineKeys.has(k)) out.push(`playground.machines[${i}].${k}`);
  });
  return out;
}

/** Machine the engine uses for tasks without `machine`: the first of the playground. */
export function defaultMachine(manifest: PlaygroundManifest): string {
  return manifest.playground.machines[0].name;
}
