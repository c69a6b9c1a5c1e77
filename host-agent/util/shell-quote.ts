// Quoting one word for a POSIX shell: the one quoting function of the agent, the CLI and
// the extension (ProxyCommand lines, exec and task commands, terminals).

/**
 * A word the shell reads back as exactly `word`. Words made only of characters no shell
 * treats specially stay bare so configs people read stay readable; everything else is
 * single-quoted. `=` is not in the bare set (a first word `A=b` is an assignment, not a
 * command), nor `~` (tilde expansion), nor `%` (OpenSSH expands it before the shell runs).
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:,+@-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
