// OpenSSH's ProxyCommand for playground machines: stdin/stdout joined to a machine's SSH
// port through the agent's tunnel. It runs once per OpenSSH connection (every `ssh`,
// `scp`, Remote-SSH reconnect), so it imports only the agent client: no commander, no
// zod, and no WebSocket library (the `tcpTunnel` route is a plain HTTP upgrade). Used by
// `sandlot ssh-proxy --stdio` and by the lean entry dist/sandlot-ssh-proxy.js
// (ssh-proxy-main.ts) that ProxyCommand lines run.
import type { AgentClient } from '../api/client';
import { parseHostAlias } from '../api/host-alias';

/** The machine a host alias names, or the one line that says what was expected. */
export function proxyTarget(alias: string | undefined): { playground: string; machine: string } | string {
  return (alias && parseHostAlias(alias)) || `ssh-proxy: expected a host alias sandlot--<playground>--<machine>, got "${alias ?? ''}"`;
}

/** Pipes stdin/stdout through a tunnel to the machine's port 22; resolves when either side ends. */
export async function proxyStdio(c: AgentClient, target: { playground: string; machine: string }): Promise<void> {
  const stream = await c.tcpTunnel(target.playground, target.machine, 22);
  process.stdin.pipe(stream);
  stream.pipe(process.stdout);
  await new Promise<void>((resolve) => {
    // A WebSocket stream whose agent went away may only end, never close.
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', resolve);
    process.stdout.on('error', resolve);
  });
}
