// Listening TCP ports from the text of /proc/net/tcp and /proc/net/tcp6 (one or both,
// concatenated). Reading these files is one `cat` in the machine: no ss/netstat needed,
// which minimal images lack. Pure, so every quirk of the format is unit-tested. The
// playground panel and `sandlot mcp` both list ports with it. No Node-only imports.

/** A TCP port something listens on inside a machine (from /proc/net/tcp and tcp6). */
export interface ListeningPort {
  port: number;
  /** Bound addresses, v4 first (`0.0.0.0`, `127.0.0.1`, `::`, …), without duplicates. */
  addresses: string[];
}

/** The command that prints both tables; /proc/net/tcp{,6} are world-readable, so any user may run it. */
export const LISTENING_PORTS_COMMAND = 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null';

/** `st` column value of a listening socket (TCP_LISTEN in the kernel's enum). */
const TCP_LISTEN = '0A';

/**
 * Parses the kernel's table rows (`  0: 0100007F:1F90 00000000:0000 0A …`), keeps the
 * LISTEN ones, and merges IPv4 and IPv6 sockets of the same port into one entry sorted by
 * port. Header lines and anything malformed are skipped: the files' other columns changed
 * across kernels, these three never did.
 */
export function parseListeningPorts(text: string): ListeningPort[] {
  const byPort = new Map<number, Set<string>>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || !/^\d+:$/.test(cols[0]) || cols[3].toUpperCase() !== TCP_LISTEN) continue;
    const local = cols[1];
    const colon = local.indexOf(':');
    if (colon < 0) continue;
    const address = decodeAddress(local.slice(0, colon));
    const port = parseInt(local.slice(colon + 1), 16);
    if (address === undefined || !Number.isInteger(port) || port < 1 || port > 65535) continue;
    let set = byPort.get(port);
    if (!set) byPort.set(port, (set = new Set()));
    set.add(address);
  }
  return [...byPort.entries()].sort(([a], [b]) => a - b).map(([port, set]) => ({ port, addresses: [...set].sort(compareAddresses) }));
}

/**
 * The kernel prints an address as 32-bit words in host byte order (`%08X` per word):
 * on the little-endian machines we run on, each word's bytes come out reversed.
 */
export function decodeAddress(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  if (hex.length === 8) return wordBytes(hex).join('.');
  if (hex.length !== 32) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  // An IPv4-mapped socket (::ffff:a.b.c.d) listens on that IPv4 address.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return compressIpv6(groups);
}

function wordBytes(word: string): number[] {
  const out: number[] = [];
  for (let i = 6; i >= 0; i -= 2) out.push(parseInt(word.slice(i, i + 2), 16));
  return out;
}

/** RFC 5952 form: the longest run (2+) of zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let best = { at: -1, len: 0 };
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** IPv4 before IPv6, then text order (so `0.0.0.0` and `::` lead their families). */
function compareAddresses(a: string, b: string): number {
  const v6a = a.includes(':');
  const v6b = b.includes(':');
  if (v6a !== v6b) return v6a ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
