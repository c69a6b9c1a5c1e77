// IPv4 addresses as 32-bit numbers, for subnet arithmetic in network plans. Only the
// small set of operations a playground's address allocation needs.

export interface Ipv4Net {
  /** Network address (host bits zero), as an unsigned 32-bit number. */
  base: number;
  prefixLength: number;
}

/** `10.0.1.7` → number, or undefined when it is not a dotted quad of 0–255 octets. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `10.0.1.10/24` → address and prefix; the prefix is optional (`10.0.1.10`). */
export function parseAddress(text: string): { address: number; prefixLength?: number } | undefined {
  const [ip, prefix, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const address = parseIpv4(ip);
  if (address === undefined) return undefined;
  if (prefix === undefined) return { address };
  if (!/^(0|[1-9][0-9]?)$/.test(prefix) || Number(prefix) > 32) return undefined;
  return { address, prefixLength: Number(prefix) };
}

export function mask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function size(net: Ipv4Net): number {
  return 2 ** (32 - net.prefixLength);
}

export function contains(net: Ipv4Net, address: number): boolean {
  return (address & mask(net.prefixLength)) >>> 0 === net.base;
}

export function broadcast(net: Ipv4Net): number {
  return net.base + size(net) - 1;
}

export function overlaps(a: Ipv4Net, b: Ipv4Net): boolean {
  return a.base <= broadcast(b) && b.base <= broadcast(a);
}

export function formatNet(net: Ipv4Net): string {
  return `${formatIpv4(net.base)}/${net.prefixLength}`;
}
