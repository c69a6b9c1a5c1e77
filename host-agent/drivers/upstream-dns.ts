// Which resolvers machines' outside names go to: `SANDLOT_DNS_UPSTREAM` (comma-separated IPv4
// addresses) when set — how a test points playgrounds at its stand-in internet, or an
// admin at a resolver of their choice — else the host's own, from /etc/resolv.conf
// (systemd-resolved's upstream list when the host file only names its local stub, which
// no machine could reach).
import * as fs from 'node:fs';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function nameserversOf(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((a): a is string => a !== undefined && IPV4.test(a));
}

/** `SANDLOT_DNS_UPSTREAM`, parsed; throws naming the variable when an entry is not an IPv4 address. */
export function configuredDns(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = env.SANDLOT_DNS_UPSTREAM?.trim();
  if (!raw) return undefined;
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.find((a) => !IPV4.test(a));
  if (bad !== undefined) throw new Error(`SANDLOT_DNS_UPSTREAM: expected comma-separated IPv4 addresses like "192.0.2.53,192.0.2.54", got ${JSON.stringify(bad)}`);
  return list;
}

/** The resolvers machines should use: configured, else the host's reachable ones (loopback stubs skipped). */
export function upstreamDns(env: NodeJS.ProcessEnv = process.env, read: (file: string) => string | undefined = readText): string[] {
  const configured = configuredDns(env);
  if (configured) return configured;
  const outside = (text: string | undefined) => nameserversOf(text ?? '').filter((a) => !a.startsWith('127.'));
  const host = outside(read('/etc/resolv.conf'));
  return host.length > 0 ? host : outside(read('/run/systemd/resolve/resolv.conf'));
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
