// DNS for machines: queries sent to a playground network's gateway arrive through the
// namespace's relay and are asked again, from the host, of the resolvers the host uses
// (including a 127.0.0.53 stub no namespace could reach). Answers go back unchanged.
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';

const TIMEOUT_MS = 2000;

/** The host's resolvers: SANDLOT_DNS_UPSTREAM (comma-separated; tests) or /etc/resolv.conf. */
export function upstreamResolvers(env: NodeJS.ProcessEnv = process.env, resolvConf = '/etc/resolv.conf'): string[] {
  if (env.SANDLOT_DNS_UPSTREAM)
    return env.SANDLOT_DNS_UPSTREAM.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  let text: string;
  try {
    text = fs.readFileSync(resolvConf, 'utf8');
  } catch {
    return [];
  }
  // IPv4 only: the forwarding socket is udp4.
  return [...text.matchAll(/^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]);
}

function ask(server: string, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => (sock.close(), reject(new Error(`no answer from ${server}`))), TIMEOUT_MS);
    sock.once('message', (answer) => {
      clearTimeout(timer);
      sock.close();
      resolve(answer);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(query, 53, server);
  });
}

/** Forwards one query to each upstream in turn; undefined when none answers (the machine's resolver retries). */
export async function forwardDnsQuery(query: Buffer, upstreams = upstreamResolvers()): Promise<Buffer | undefined> {
  // A DNS header is 12 bytes; anything shorter is not worth asking about.
  if (query.length < 12 || query.length > 4096) return undefined;
  for (const server of upstreams) {
    try {
      return await ask(server, query);
    } catch {
      // next one
    }
  }
  return undefined;
}
