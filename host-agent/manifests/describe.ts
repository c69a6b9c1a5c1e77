// A manifest in a few lines for people (`sandlot manifest check`): what the playground
// will be — machines with image, users and addresses, networks, tabs, init tasks and
// conditions, registry auth and access control — as Sandlot understood it.
import { machineDrives } from './drives';
import { IXIMIUZ_IMAGES } from './image-names';
import { planNetworks } from './networks';
import { DEFAULT_ACCESS } from './effective';
import { machineResources, type PlaygroundManifest } from './schema';
import { defaultUserOf, userNamesOf } from './spec';
import { resolveTabs } from './tabs';

export function describeManifest(manifest: PlaygroundManifest): string[] {
  const p = manifest.playground;
  const { plan } = planNetworks(manifest);
  const lines = [`${manifest.name}: ${manifest.title ?? manifest.name}${p.driver ? ` (driver ${p.driver})` : ''}`];
  lines.push(`  networks: ${plan.networks.map((n) => `${n.name} ${n.subnet} via ${n.gateway}${n.private ? ' (private)' : ''}`).join('; ')}`);
  p.machines.forEach((m, i) => {
    const drives = machineDrives(m, i);
    const source = m.drives?.find((d) => d.mount === '/')?.source ?? m.image;
    const standIn = source ? IXIMIUZ_IMAGES[source]?.standIn : undefined;
    const { cpuCount, ramSize } = machineResources(m.resources);
    const addresses = (plan.interfaces.get(m.name) ?? []).map((itf) => `${itf.name} ${itf.address}/${itf.prefixLength} (${itf.network})`).join(', ');
    const extraDrives = drives.drives.length > 1 ? `, ${drives.drives.length - 1} more drive${drives.drives.length > 2 ? 's' : ''}` : '';
    lines.push(
      `  machine ${m.name}: image ${drives.image}${standIn ? ` (for ${source}: ${standIn})` : ''}, users ${userNamesOf(m).join(', ')} (default ${defaultUserOf(m)}), ${cpuCount} CPU, ${ramSize}${extraDrives}${m.noSSH ? ', no SSH' : ''}`,
      `    ${addresses}${m.backend ? `; backend ${m.backend}` : ''}${m.kernel ? `; kernel ${m.kernel.source}` : ''}`,
    );
  });
  lines.push(
    `  tabs: ${resolveTabs(manifest)
      .tabs.map((t) => `${t.kind} "${t.name}"`)
      .join(', ')}`,
  );
  const conditions = p.initConditions?.values ?? [];
  if (conditions.length > 0) {
    lines.push(
      `  init conditions: ${conditions.map((c) => `${c.key}${c.default !== undefined ? `=${c.default || '""'}` : ''}${c.options ? ` [${c.options.join('|')}]` : ''}`).join(', ')}`,
    );
  }
  const tasks = Object.keys(p.initTasks ?? {});
  if (tasks.length > 0) lines.push(`  init tasks: ${tasks.join(', ')}`);
  if (p.registryAuth) lines.push(`  registry auth: user ${p.registryAuth.split(':')[0]}`);
  const access = { ...DEFAULT_ACCESS, ...p.accessControl };
  lines.push(
    `  access: list ${access.canList?.join(',')}; read ${access.canRead?.join(',')}; start ${access.canStart?.join(',')} (recorded; this agent serves one user)`,
  );
  return lines;
}
