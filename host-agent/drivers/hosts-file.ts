// A playground's /etc/hosts, the same on every driver: each machine by its name (its
// first interface's address) and by `<machine>.<network>` for every network it is on,
// as iximiuz Labs resolves them; drivers add their own extra names (e.g. the registry).
import type { PlaygroundSpec } from './protocol';

export interface ExtraHost {
  address: string;
  names: string[];
}

export function renderHostsFile(spec: Pick<PlaygroundSpec, 'machines'>, extra: ExtraHost[] = []): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const m of spec.machines) {
    m.interfaces.forEach((iface, i) => {
      const names = [...(i === 0 ? [m.name] : []), `${m.name}.${iface.network}`];
      lines.push(`${iface.address}\t${names.join(' ')}`);
    });
  }
  for (const e of extra) lines.push(`${e.address}\t${e.names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** Names → address of every machine and `<machine>.<network>` (what the hosts file says). */
export function hostAddresses(spec: Pick<PlaygroundSpec, 'machines'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of spec.machines) {
    m.interfaces.forEach((iface, i) => {
      if (i === 0) out[m.name] = iface.address;
      out[`${m.name}.${iface.network}`] = iface.address;
    });
  }
  return out;
}
