// SSH host aliases of machines: how OpenSSH, Remote-SSH and `sandlot ssh-proxy` name one.

export const HOST_ALIAS_PREFIX = 'sandlot--';

/** `sandlot--<playground>--<machine>`: the SSH host alias of a machine. */
export function hostAlias(playground: string, machine: string): string {
  return `${HOST_ALIAS_PREFIX}${playground}--${machine}`;
}

export function parseHostAlias(alias: string): { playground: string; machine: string } | undefined {
  if (!alias.startsWith(HOST_ALIAS_PREFIX)) return undefined;
  const rest = alias.slice(HOST_ALIAS_PREFIX.length);
  const sep = rest.indexOf('--');
  if (sep <= 0 || sep + 2 >= rest.length) return undefined;
  return { playground: rest.slice(0, sep), machine: rest.slice(sep + 2) };
}
