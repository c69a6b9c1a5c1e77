// A playground's layout from `playground.tabs`, with iximiuz Labs' defaults and rules:
// `kind` is `terminal` unless given; `machine` is the first machine unless given; ids are
// `<kind>-<machine>` unless given (made unique with `-2`, `-3`, … so several tabs of a
// kind on one machine need no ids); `http-port` needs `number` and `name`, `web-page`
// needs `url` and `name`; a noSSH machine gets no terminal. Without `tabs`: one terminal
// per SSH machine. The extension opens exactly this list; the agent validates it.
// No Node-only imports: the extension bundles this file.
import type { PlaygroundManifest, TabManifest } from './schema';

interface TabBase {
  id: string;
  /** The editor title. */
  name: string;
  /** iximiuz Labs' split view: `right` opens beside the others. */
  pane?: 'left' | 'right';
}

export type LayoutTab =
  | (TabBase & { kind: 'terminal'; machine: string })
  | (TabBase & { kind: 'ide'; machine: string })
  | (TabBase & { kind: 'http-port'; machine: string; number: number; tls: boolean; hostRewrite?: string; pathRewrite?: string; target?: 'window' })
  | (TabBase & { kind: 'web-page'; url: string; target?: 'window' })
  | (TabBase & { kind: 'kexp'; machine: string });

/** Fields that only mean something for some kinds: given elsewhere they are a mistake worth saying. */
const MACHINE_KINDS: readonly string[] = ['terminal', 'ide', 'http-port', 'kexp'];
const ONLY_FOR: readonly (readonly [keyof TabManifest, readonly string[]])[] = [
  ['number', ['http-port']],
  ['tls', ['http-port']],
  ['hostRewrite', ['http-port']],
  ['pathRewrite', ['http-port']],
  ['url', ['web-page']],
  ['target', ['http-port', 'web-page']],
  ['machine', MACHINE_KINDS],
];

export function resolveTabs(manifest: PlaygroundManifest): { tabs: LayoutTab[]; problems: string[] } {
  const machines = manifest.playground.machines;
  const given = manifest.playground.tabs;
  if (!given) return { tabs: terminalPerMachine(machines), problems: [] };
  const problems: string[] = [];
  const tabs: LayoutTab[] = [];
  const ids = new Map<string, number>();
  const explicitIds = new Set(given.flatMap((t) => (t.id === undefined ? [] : [t.id])));
  given.forEach((t, i) => {
    const at = `playground.tabs[${i}]`;
    const kind = t.kind ?? 'terminal';
    const before = problems.length;
    for (const [field, kinds] of ONLY_FOR) {
      if (t[field] !== undefined && !kinds.includes(kind)) {
        problems.push(`${at}.${field}: only for ${kinds.join(', ')} tabs; this tab is ${kind}`);
      }
    }
    const machineName = t.machine ?? machines[0].name;
    const machine = machines.find((m) => m.name === machineName);
    if (MACHINE_KINDS.includes(kind) && !machine) {
      problems.push(`${at}.machine: unknown machine "${machineName}" (expected one of ${machines.map((m) => m.name).join(', ')})`);
    }
    if ((kind === 'terminal' || kind === 'ide') && machine?.noSSH) problems.push(`${at}.machine: "${machineName}" has noSSH: true and gets no ${kind} tab`);
    if (kind === 'http-port' && t.number === undefined) problems.push(`${at}.number: required for an http-port tab (the machine's port)`);
    if ((kind === 'http-port' || kind === 'web-page') && t.name === undefined) problems.push(`${at}.name: required for a ${kind} tab (its title)`);
    if (kind === 'web-page' && t.url === undefined) problems.push(`${at}.url: required for a web-page tab`);
    const id = t.id ?? uniqueId(kind === 'web-page' ? kind : `${kind}-${machineName}`, ids, explicitIds);
    const prev = ids.get(id);
    if (prev !== undefined) problems.push(`${at}.id: duplicate tab id "${id}" (also playground.tabs[${prev}])`);
    ids.set(id, i);
    if (problems.length > before) return;
    const base = { id, ...(t.pane ? { pane: t.pane } : {}) };
    switch (kind) {
      case 'terminal':
        tabs.push({ ...base, kind, name: t.name ?? machineName, machine: machineName });
        break;
      case 'ide':
        tabs.push({ ...base, kind, name: t.name ?? `IDE (${machineName})`, machine: machineName });
        break;
      case 'kexp':
        tabs.push({ ...base, kind, name: t.name ?? 'Kubernetes Explorer', machine: machineName });
        break;
      case 'http-port':
        tabs.push({
          ...base,
          kind,
          name: t.name!,
          machine: machineName,
          number: t.number!,
          tls: t.tls ?? false,
          ...(t.hostRewrite ? { hostRewrite: t.hostRewrite } : {}),
          ...(t.pathRewrite ? { pathRewrite: t.pathRewrite } : {}),
          ...(t.target ? { target: t.target } : {}),
        });
        break;
      case 'web-page':
        tabs.push({ ...base, kind, name: t.name!, url: t.url!, ...(t.target ? { target: t.target } : {}) });
        break;
    }
  });
  return { tabs, problems };
}

/** The layout without `tabs`: a terminal per SSH machine (iximiuz Labs' default, without its web IDE). */
export function terminalPerMachine(machines: readonly { name: string; noSSH?: boolean }[]): LayoutTab[] {
  return machines.filter((m) => !m.noSSH).map((m) => ({ id: `terminal-${m.name}`, kind: 'terminal', name: m.name, machine: m.name }));
}

/** `terminal-dev`, else `terminal-dev-2`, … skipping ids written explicitly anywhere in the list. */
function uniqueId(stem: string, taken: Map<string, number>, explicit: Set<string>): string {
  if (!taken.has(stem) && !explicit.has(stem)) return stem;
  for (let n = 2; ; n++) {
    const id = `${stem}-${n}`;
    if (!taken.has(id) && !explicit.has(id)) return id;
  }
}
