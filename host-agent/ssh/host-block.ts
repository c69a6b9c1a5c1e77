// OpenSSH `Host` sections for playground machines: the one writer behind both
// `sandlot ssh-config` and the block the extension keeps in ~/.ssh/config, so the two
// cannot drift. Plain TypeScript (no native modules): the extension bundles it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_ALIAS_PREFIX, hostAlias, type PlaygroundRecord } from '../api/protocol';
import { shellQuote } from '../util/shell-quote';

export interface SshHostEntry {
  /** `sandlot--<playground>--<machine>` */
  alias: string;
  user: string;
  /** Private key file (mode 0600). */
  identityFile: string;
  /** known_hosts file holding the machine's host key under `alias`. */
  knownHostsFile: string;
  /** Complete ProxyCommand (already shell-quoted and %-escaped; see proxyCommand). */
  proxyCommand: string;
  /** Name the host key is recorded under; defaults to `alias` (differs when an old alias points at a re-created playground). */
  hostKeyAlias?: string;
}

/** Something that cannot be written into an ssh config; the file is left as it was. */
export class SshConfigBlockError extends Error {
  override name = 'SshConfigBlockError';
}

/** OpenSSH expands `%` tokens in file paths and ProxyCommand; a literal percent is `%%`. */
export function escapePercent(s: string): string {
  return s.replace(/%/g, '%%');
}

/** The lean ssh-proxy entry the build writes beside the CLI bundle (dist/sandlot-ssh-proxy.js). */
export const SSH_PROXY_SCRIPT = 'sandlot-ssh-proxy.js';

/**
 * `ProxyCommand` running the Sandlot CLI's stdio proxy:
 * `[env K=V] <node…> <dist>/sandlot-ssh-proxy.js <target>`, the lean entry that loads only
 * the agent client (it runs for every OpenSSH connection); `<node…> <cli> ssh-proxy --stdio
 * <target>` when there is none beside `cliPath` (an older build). OpenSSH runs it with
 * `sh -c` (hence shell quoting) after expanding `%` tokens (hence `%%`); the target
 * defaults to `%h`, the alias itself.
 */
export function proxyCommand(node: string | string[], cliPath: string, opts: { target?: string; env?: Record<string, string> } = {}): string {
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new SshConfigBlockError(`ProxyCommand: ${JSON.stringify(k)} is not an environment variable name`);
    return `${k}=${shellQuote(v)}`;
  });
  const lean = path.join(path.dirname(cliPath), SSH_PROXY_SCRIPT);
  const proxy = fs.existsSync(lean) ? [lean] : [cliPath, 'ssh-proxy', '--stdio'];
  const words = [...(Array.isArray(node) ? node : [node]), ...proxy].map(shellQuote);
  return [...(env.length > 0 ? ['env', ...env] : []), ...words, opts.target ? shellQuote(opts.target) : undefined]
    .filter((w) => w !== undefined)
    .map(escapePercent)
    .concat(opts.target ? [] : ['%h'])
    .join(' ');
}

/** The environment a ProxyCommand must carry so the CLI finds the same agent: SANDLOT_HOME when set. */
export function proxyEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  return env.SANDLOT_HOME ? { SANDLOT_HOME: path.resolve(env.SANDLOT_HOME) } : undefined;
}

/** One entry per machine of the playground that has SSH. */
export function machineHostEntries(record: PlaygroundRecord, files: { keyFile: string; knownHostsFile: string }, proxy: string): SshHostEntry[] {
  return record.machines
    .filter((m) => !m.noSSH)
    .map((m) => ({
      alias: hostAlias(record.id, m.name),
      user: m.defaultUser,
      identityFile: files.keyFile,
      knownHostsFile: files.knownHostsFile,
      proxyCommand: proxy,
    }));
}

/** A file path as an ssh config value: double-quoted (it may hold spaces), `%` escaped. */
function pathValue(directive: string, p: string): string {
  if (/["\r\n\0]/.test(p)) {
    throw new SshConfigBlockError(`${directive}: a path with a double quote, a newline or a NUL byte cannot be written to an ssh config: ${JSON.stringify(p)}`);
  }
  return `"${escapePercent(p)}"`;
}

function checkAlias(alias: string): void {
  if (!alias.startsWith(HOST_ALIAS_PREFIX) || !/^[A-Za-z0-9._-]+$/.test(alias)) {
    throw new SshConfigBlockError(
      `host alias: expected "${HOST_ALIAS_PREFIX}<playground>--<machine>" without spaces or patterns, got ${JSON.stringify(alias)}`,
    );
  }
}

/** The `Host` sections, one per entry, a blank line between them, every line ending in `eol`. */
export function renderHostSections(entries: SshHostEntry[], eol: '\n' | '\r\n' = '\n'): string {
  return entries
    .map((e) => {
      checkAlias(e.alias);
      checkAlias(e.hostKeyAlias ?? e.alias);
      if (!/^[a-z_][a-z0-9_-]*$/.test(e.user)) throw new SshConfigBlockError(`User: expected a Unix user name, got ${JSON.stringify(e.user)}`);
      if (/[\r\n\0]/.test(e.proxyCommand))
        throw new SshConfigBlockError('ProxyCommand: a command with a newline or a NUL byte cannot be written to an ssh config');
      return [
        `Host ${e.alias}`,
        `  HostName ${e.alias}`,
        `  HostKeyAlias ${e.hostKeyAlias ?? e.alias}`,
        `  User ${e.user}`,
        `  IdentityFile ${pathValue('IdentityFile', e.identityFile)}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${pathValue('UserKnownHostsFile', e.knownHostsFile)}`,
        '  StrictHostKeyChecking yes',
        `  ProxyCommand ${e.proxyCommand}`,
      ]
        .map((l) => l + eol)
        .join('');
    })
    .join(eol);
}
