// A stand-in "internet" for tests of the way out of a playground: a network namespace the
// test makes, with an HTTP server and a DNS server on TEST-NET-2 addresses (outside every
// playground subnet), routed from the host. No test ever sends a packet to a real outside
// address. Needs root (ip netns).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface FakeInternet {
  /** Address of the web server, e.g. `198.51.100.10`. */
  webAddress: string;
  /** `http://198.51.100.10/` — answers `hello from the stand-in internet`. */
  url: string;
  /** Address of its DNS server (port 53). */
  dnsAddress: string;
  /** A name only its DNS server knows; it resolves to webAddress. */
  name: string;
  close(): void;
}

export const FAKE_INTERNET_BODY = 'hello from the stand-in internet';

// Runs inside the namespace: an HTTP server, and a DNS server that answers A queries for
// one name (everything else: NXDOMAIN). Small enough to read; tests only.
const SERVERS = `
const http = require('http'), dgram = require('dgram');
const [web, dns, name] = process.argv.slice(1);
http.createServer((req, res) => res.end(${JSON.stringify(FAKE_INTERNET_BODY)})).listen(80, web);
const sock = dgram.createSocket('udp4');
sock.on('message', (q, from) => {
  let i = 12, labels = [];
  while (q[i]) { labels.push(q.toString('latin1', i + 1, i + 1 + q[i])); i += q[i] + 1; }
  const qname = labels.join('.').toLowerCase(), qtype = q.readUInt16BE(i + 1), end = i + 5;
  const hit = qname === name && qtype === 1;
  const head = Buffer.from(q.subarray(0, 12));
  head.writeUInt16BE(0x8180 | (qname === name ? 0 : 3), 2);
  head.writeUInt16BE(1, 4); head.writeUInt16BE(hit ? 1 : 0, 6); head.writeUInt32BE(0, 8);
  const parts = [head, q.subarray(12, end)];
  if (hit) {
    const a = Buffer.alloc(16);
    a.writeUInt16BE(0xc00c, 0); a.writeUInt16BE(1, 2); a.writeUInt16BE(1, 4); a.writeUInt32BE(60, 6); a.writeUInt16BE(4, 10);
    web.split('.').forEach((o, k) => a.writeUInt8(Number(o), 12 + k));
    parts.push(a);
  }
  sock.send(Buffer.concat(parts), from.port, from.address);
});
sock.bind(53, dns, () => process.stdout.write('ready\\n'));
`;

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

export async function startFakeInternet(): Promise<FakeInternet> {
  const tag = `slinet${process.pid % 100000}`;
  const ns = tag;
  const hostIf = `${tag}h`.slice(0, 15);
  const webAddress = '198.51.100.10';
  const dnsAddress = '198.51.100.53';
  const name = 'internet.sandlot.test';
  ip(['netns', 'add', ns]);
  let server: ChildProcess | undefined;
  const close = () => {
    server?.kill('SIGKILL');
    spawnSync('ip', ['link', 'del', hostIf]);
    spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['addr', 'add', '198.51.100.1/24', 'dev', hostIf]);
    ip(['link', 'set', hostIf, 'up']);
    for (const a of [
      ['addr', 'add', `${webAddress}/24`, 'dev', 'eth0'],
      ['addr', 'add', `${dnsAddress}/24`, 'dev', 'eth0'],
      ['link', 'set', 'eth0', 'up'],
      ['link', 'set', 'lo', 'up'],
      // Replies go back through the host, whatever address they come from.
      ['route', 'add', 'default', 'via', '198.51.100.1'],
    ]) {
      ip(['-n', ns, ...a]);
    }
    server = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVERS, webAddress, dnsAddress, name], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the stand-in internet did not start')), 10_000);
      server!.stdout!.once('data', () => (clearTimeout(timer), resolve()));
      server!.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the stand-in internet exited (${code})`))));
    });
    return { webAddress, url: `http://${webAddress}/`, dnsAddress, name, close };
  } catch (err) {
    close();
    throw err;
  }
}
