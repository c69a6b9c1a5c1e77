// IPv4 subnet arithmetic for playground networks: every playground gets its own /24 out
// of a private pool, chosen so it overlaps no other engine network and no host route
// (a clash would make the host route the playground's traffic elsewhere).

export interface Cidr {
  base: number;
  bits: number;
}

export function parseIpv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`expected an IPv4 address like 10.0.0.1, got ${JSON.stringify(ip)}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(cidr: string): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 32) throw new Error(`expected a CIDR like 10.213.0.0/24, got ${JSON.stringify(cidr)}`);
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  return { base: Math.floor(parseIpv4(m[1]) / size) * size, bits };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.bits}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.bits);
  const bEnd = b.base + 2 ** (32 - b.bits);
  return a.base < bEnd && b.base < aEnd;
}

/** Host address `offset` inside a subnet (1 = the gateway). */
export function hostAddress(subnet: string, offset: number): string {
  const c = parseCidr(subnet);
  if (offset < 1 || offset >= 2 ** (32 - c.bits) - 1) throw new Error(`address offset ${offset} does not fit in ${subnet}`);
  return formatIpv4(c.base + offset);
}

export const DEFAULT_POOL = '10.213.0.0/16';

function hashSeed(seed: string): number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/**
 * A /`prefix` subnet of `pool` that overlaps none of `used`. Starts at a slot derived
 * from `seed` (the playground id) so concurrent creates rarely race for the same one.
 */
export function pickSubnet(seed: string, used: string[], pool = DEFAULT_POOL, prefix = 24): string {
  const p = parseCidr(pool);
  if (prefix < p.bits) throw new Error(`subnet /${prefix} is larger than the pool ${pool}`);
  const slots = 2 ** (prefix - p.bits);
  const size = 2 ** (32 - prefix);
  const taken = used.map(parseCidr);
  const start = hashSeed(seed) % slots;
  for (let i = 0; i < slots; i++) {
    const candidate = { base: p.base + ((start + i) % slots) * size, bits: prefix };
    if (!taken.some((t) => overlaps(t, candidate))) return formatCidr(candidate);
  }
  throw new Error(`no free /${prefix} left in ${pool}: ${taken.length} networks and routes use it`);
}

/** Destination CIDRs of the host's IPv4 routes, from /proc/net/route's text (default route skipped). */
export function routesFromProcNetRoute(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    // Little-endian hex, as the kernel prints them.
    const dest = parseInt(f[1].match(/../g)!.reverse().join(''), 16);
    const mask = parseInt(f[7].match(/../g)!.reverse().join(''), 16);
    if (mask === 0) continue;
    const bits = mask.toString(2).replace(/0+$/, '').length;
    out.push(`${formatIpv4(dest)}/${bits}`);
  }
  return out;
}
