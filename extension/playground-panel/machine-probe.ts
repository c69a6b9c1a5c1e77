// What the panel reads inside a machine on each poll, as one shell command over the
// machine's already-open SSH session (one exec channel, no new connection), and how its
// output splits into ports and addresses.
import { LISTENING_PORTS_COMMAND, parseListeningPorts, type ListeningPort } from '../../host-agent/machines/proc-net-tcp';

const MARK = '--sandlot-probe--';

/**
 * The listening ports (read as `sandlot mcp` reads them), then `hostname -I`: the
 * interface addresses (not loopback); a machine without it only loses that line.
 */
export const PROBE_COMMAND = `${LISTENING_PORTS_COMMAND}; echo ${MARK}; hostname -I 2>/dev/null || true`;

export function parseProbeOutput(stdout: string): { ports: ListeningPort[]; addresses: string[] } {
  const at = stdout.indexOf(MARK);
  const tables = at < 0 ? stdout : stdout.slice(0, at);
  const rest = at < 0 ? '' : stdout.slice(at + MARK.length);
  const addresses = [...new Set(rest.split(/\s+/).filter(isAddress))]
    // Link-local IPv6 (fe80::) means nothing outside the link; leave it out.
    .filter((a) => !/^fe80:/i.test(a));
  return { ports: parseListeningPorts(tables), addresses };
}

function isAddress(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:]+$/.test(s));
}
