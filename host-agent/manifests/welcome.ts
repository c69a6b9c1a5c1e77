// Login banners (`users[].welcome`) as startup files, so every driver applies them the
// same way. A welcome replaces the image's own banner: `~/.hushlogin` silences sshd's
// motd and last-login lines, and a guarded block in `~/.profile` (login shells) and
// `~/.bashrc` (the rest) prints the text once per session, in interactive shells only
// (`ssh machine cmd` output stays clean). `'-'` only silences. Both files are appended
// to: on images they exist (and .profile reads .bashrc; the guard prints once); on the
// sandbox driver a home starts empty and the appended .profile is all there is.
import type { MachineUser } from '../drivers/protocol';
import type { MachineManifest, StartupFile } from './schema';

export const NO_WELCOME = '-';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function welcomeFiles(m: MachineManifest, users: readonly MachineUser[]): StartupFile[] {
  return (m.users ?? []).flatMap((u) => {
    if (u.welcome === undefined) return [];
    const user = users.find((x) => x.name === u.name);
    if (!user) return [];
    const home = user.home.replace(/\/$/, '');
    const owner = `${user.name}:${user.name === 'root' ? 'root' : user.name}`;
    const files: StartupFile[] = [{ path: `${home}/.hushlogin`, content: '', owner, mode: '0644' }];
    if (u.welcome === NO_WELCOME) return files;
    const text = u.welcome.endsWith('\n') ? u.welcome : `${u.welcome}\n`;
    const block = [
      '',
      '# Sandlot: the welcome message of the playground manifest (users[].welcome)',
      'case $- in *i*)',
      `  if [ -z "\${SANDLOT_WELCOMED:-}" ]; then export SANDLOT_WELCOMED=1; printf '%s' ${shellQuote(text)}; fi ;;`,
      'esac',
      '',
    ].join('\n');
    return [...files, ...['.profile', '.bashrc'].map((f) => ({ path: `${home}/${f}`, content: block, append: true, owner }))];
  });
}
