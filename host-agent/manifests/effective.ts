// The effective manifest of a playground (`sandlot manifest <playground>`): every default
// written out — base applied (so it says `base: flexbox`), the driver that runs it, the
// networks with their gateways, each machine's users, drives, pinned addresses and
// resources, the tabs with their ids, init tasks with user, machine and timeout, access
// control. `sandlot start -f` accepts it again and makes an equivalent playground (same
// spec but for keys and ids), and it is a fixed point: the effective manifest of an
// effective manifest is itself.
import { stringify } from 'yaml';
import type { DriverName } from '../api/protocol';
import { FLEXBOX } from './base';
import { machineDrives } from './drives';
import { DEFAULT_INIT_TIMEOUT_SECONDS, DEFAULT_INIT_USER } from './init';
import { planNetworks } from './networks';
import { machineResources, type AccessControl, type DriveManifest, type MachineManifest, type PlaygroundManifest, type TabManifest } from './schema';
import { formatSize } from './sizes';
import { defaultUserOf } from './spec';
import { resolveTabs, type LayoutTab } from './tabs';

/** What a playground gets when its manifest says nothing: only its owner (on this host: you). */
export const DEFAULT_ACCESS: AccessControl = { canList: ['owner'], canRead: ['owner'], canStart: ['owner'] };

export function effectiveManifest(manifest: PlaygroundManifest, opts: { driver?: DriverName } = {}): PlaygroundManifest {
  const { plan } = planNetworks(manifest);
  const p = manifest.playground;
  const driver = opts.driver ?? p.driver;
  const machines: MachineManifest[] = p.machines.map((m, i) => {
    const defaultUser = defaultUserOf(m);
    const users = (m.users ?? [{ name: 'root' }]).map((u) => ({
      name: u.name,
      ...(u.name === defaultUser ? { default: true } : {}),
      ...(u.welcome !== undefined ? { welcome: u.welcome } : {}),
    }));
    const { cpuCount, ramSize } = machineResources(m.resources);
    return {
      name: m.name,
      users,
      ...(m.backend ? { backend: m.backend } : {}),
      ...(m.kernel ? { kernel: m.kernel } : {}),
      drives: machineDrives(m, i).drives.map((d): DriveManifest => ({
        ...(d.source !== undefined ? { source: d.source } : {}),
        ...(d.mount !== undefined ? { mount: d.mount } : {}),
        ...(d.sizeBytes !== undefined ? { size: formatSize(d.sizeBytes) } : {}),
        ...(d.filesystem !== undefined ? { filesystem: d.filesystem } : {}),
        ...(d.readOnly ? { readOnly: true } : {}),
      })),
      network: { interfaces: (plan.interfaces.get(m.name) ?? []).map((itf) => ({ network: itf.network, address: `${itf.address}/${itf.prefixLength}` })) },
      resources: { cpuCount, ramSize },
      ...(m.startupFiles?.length ? { startupFiles: m.startupFiles } : {}),
      noSSH: m.noSSH ?? false,
    };
  });
  const initTasks = p.initTasks
    ? Object.fromEntries(
        Object.entries(p.initTasks).map(([name, t]) => [
          name,
          {
            init: true,
            machine: t.machine ?? p.machines[0].name,
            user: t.user ?? DEFAULT_INIT_USER,
            ...(t.needs?.length ? { needs: t.needs } : {}),
            timeout_seconds: t.timeout_seconds ?? DEFAULT_INIT_TIMEOUT_SECONDS,
            ...(t.conditions?.length ? { conditions: t.conditions } : {}),
            ...(t.env?.length ? { env: t.env } : {}),
            run: t.run,
          },
        ]),
      )
    : undefined;
  return {
    kind: 'playground',
    name: manifest.name,
    base: FLEXBOX,
    title: manifest.title ?? manifest.name,
    ...(manifest.description !== undefined ? { description: manifest.description } : {}),
    ...(manifest.categories ? { categories: manifest.categories } : {}),
    ...(manifest.markdown !== undefined ? { markdown: manifest.markdown } : {}),
    ...(manifest.cover !== undefined ? { cover: manifest.cover } : {}),
    playground: {
      ...(driver ? { driver } : {}),
      networks: plan.networks.map((n) => ({ name: n.name, subnet: n.subnet, gateway: n.gateway, private: n.private })),
      machines,
      tabs: resolveTabs(manifest).tabs.map(tabManifest),
      ...(initTasks ? { initTasks } : {}),
      ...(p.initConditions ? { initConditions: p.initConditions } : {}),
      ...(p.registryAuth ? { registryAuth: p.registryAuth } : {}),
      accessControl: { ...DEFAULT_ACCESS, ...p.accessControl },
    },
  };
}

function tabManifest(t: LayoutTab): TabManifest {
  const { id, name, pane } = t;
  const common = { id, name, ...(pane ? { pane } : {}) };
  switch (t.kind) {
    case 'terminal':
    case 'ide':
    case 'kexp':
      return { kind: t.kind, machine: t.machine, ...common };
    case 'http-port':
      return {
        kind: t.kind,
        machine: t.machine,
        ...common,
        number: t.number,
        tls: t.tls,
        ...(t.hostRewrite ? { hostRewrite: t.hostRewrite } : {}),
        ...(t.pathRewrite ? { pathRewrite: t.pathRewrite } : {}),
        ...(t.target ? { target: t.target } : {}),
      };
    case 'web-page':
      return { kind: t.kind, ...common, url: t.url, ...(t.target ? { target: t.target } : {}) };
  }
}

/** YAML text of a manifest, with a first comment line saying where it came from. */
export function manifestYaml(manifest: PlaygroundManifest, comment?: string): string {
  const body = stringify(manifest, { lineWidth: 0 });
  return comment ? `${comment.replace(/^/gm, '# ')}\n${body}` : body;
}

const texts = new WeakMap<PlaygroundManifest, Map<string, string>>();

/**
 * manifestYaml(effectiveManifest(manifest, { driver }), comment), once per manifest object:
 * every playground of a template stores the same text, and YAML's stringify is a few ms of
 * the agent's event loop on each start. A catalog entry read again is a new object.
 */
export function effectiveManifestText(manifest: PlaygroundManifest, driver: DriverName, comment: string): string {
  const byKey = texts.get(manifest) ?? new Map<string, string>();
  texts.set(manifest, byKey);
  const key = `${driver}\n${comment}`;
  let text = byKey.get(key);
  if (text === undefined) byKey.set(key, (text = manifestYaml(effectiveManifest(manifest, { driver }), comment)));
  return text;
}
