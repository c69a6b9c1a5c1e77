// The playground manifest a piece of content runs on: its template with the content's
// per-machine overrides (`resources`, `users`, `startupFiles`, `noSSH`) applied.
import type { PlaygroundManifest } from '../manifests/schema';
import type { Content } from './model';

export function manifestForContent(content: Content, template: PlaygroundManifest): PlaygroundManifest {
  const overrides = new Map((content.playground.machines ?? []).map((m) => [m.name, m]));
  for (const name of overrides.keys()) {
    if (!template.playground.machines.some((m) => m.name === name)) {
      throw new Error(
        `${content.name}: playground.machines: unknown machine "${name}" (template "${template.name}" has ${template.playground.machines.map((m) => m.name).join(', ')})`,
      );
    }
  }
  return {
    ...template,
    title: content.title,
    playground: {
      ...template.playground,
      machines: template.playground.machines.map((m) => {
        const o = overrides.get(m.name);
        if (!o) return m;
        return {
          ...m,
          ...(o.resources ? { resources: { ...m.resources, ...o.resources } } : {}),
          ...(o.users ? { users: o.users } : {}),
          // Content files come after the template's, so they win on the same path.
          ...(o.startupFiles ? { startupFiles: [...(m.startupFiles ?? []), ...o.startupFiles] } : {}),
          ...(o.noSSH !== undefined ? { noSSH: o.noSSH } : {}),
        };
      }),
    },
  };
}

/** Machine the engine uses for tasks without `machine`: the first of the playground. */
export function defaultMachine(manifest: PlaygroundManifest): string {
  return manifest.playground.machines[0].name;
}
