// One host firewall rule per private (internal) playground network. Docker isolates an
// internal network by address — it drops what enters its bridge from outside the subnet
// and what leaves for outside it — and with br_netfilter those rules also see frames
// bridged between two containers of that network. That drops a routing lab's traffic: a
// packet from another network, forwarded by the machine on both, is still "from outside
// the subnet". A rule in DOCKER-USER (which Docker evaluates first and never flushes)
// accepts what both enters and leaves through the same bridge: traffic inside one
// network, never between networks, to the host, or out.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const PATH_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

/** The bridge interface of a playground network (Docker's default `br-<id>` is unknown before create). */
export function bridgeName(engineNetwork: string): string {
  // IFNAMSIZ: 15 characters.
  return `slbr${createHash('sha256').update(engineNetwork).digest('hex').slice(0, 11)}`;
}

function rule(bridge: string): string[] {
  return ['DOCKER-USER', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
}

function iptables(args: string[]): { ok: boolean; error: string } {
  const r = spawnSync('iptables', ['-w', '5', ...args], { encoding: 'utf8', env: PATH_ENV });
  if (r.error) return { ok: false, error: r.error.message };
  return { ok: r.status === 0, error: (r.stderr || '').trim() };
}

/**
 * Adds the rule for each bridge unless it is there. Returns why it could not (the agent is
 * not root, no iptables, no DOCKER-USER chain), or undefined when every rule is in place.
 */
export function ensureBridgeRules(bridges: string[]): string | undefined {
  if (bridges.length === 0) return undefined;
  if (process.getuid?.() !== 0) return 'the agent is not root, so it cannot add the host firewall rule';
  for (const b of bridges) {
    if (iptables(['-C', ...rule(b)]).ok) continue;
    const added = iptables(['-I', ...rule(b)]);
    if (!added.ok) return `iptables -I ${rule(b).join(' ')}: ${added.error}`;
  }
  return undefined;
}

export function removeBridgeRules(bridges: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const b of bridges) while (iptables(['-D', ...rule(b)]).ok);
}
