// What lets `ssh node-02` work from inside a playground, as on iximiuz Labs: every user of
// every machine gets the playground's key pair and a known_hosts that names each machine
// with its real host key, so OpenSSH inside the machines keeps strict host key checking.
// Handing the key to the machines gives nothing away: it opens only this playground's
// machines, which the same users can already reach, and the agent's tunnel still needs
// the agent token. Written as startup files, so every driver applies them the same way.
import type { KeyPair, MachineUser } from '../drivers/protocol';
import type { StartupFile } from '../manifests/schema';

export function machineSshIdentityFiles(users: readonly MachineUser[], userKey: KeyPair, hostKeys: Readonly<Record<string, KeyPair>>): StartupFile[] {
  const knownHosts = Object.entries(hostKeys)
    .map(([machine, key]) => `${machine} ${hostKeyLine(key.publicKey)}\n`)
    .join('');
  return users.flatMap((u) => {
    const owner = `${u.name}:${u.name === 'root' ? 'root' : u.name}`;
    const dir = `${u.home.replace(/\/$/, '')}/.ssh`;
    return [
      { path: `${dir}/id_ed25519`, content: ensureNewline(userKey.privateKey), mode: '0600', owner },
      { path: `${dir}/id_ed25519.pub`, content: ensureNewline(userKey.publicKey), mode: '0644', owner },
      { path: `${dir}/known_hosts`, content: knownHosts, mode: '0644', owner },
    ];
  });
}

/**
 * The manifest's startup files, then ours for the paths it does not write: its files keep
 * their indices (errors name `startupFiles[i]` of the manifest) and its own key or
 * known_hosts wins.
 */
export function withSshIdentity(manifestFiles: readonly StartupFile[], identity: readonly StartupFile[]): StartupFile[] {
  const taken = new Set(manifestFiles.map((f) => f.path));
  return [...manifestFiles, ...identity.filter((f) => !taken.has(f.path))];
}

/** `ssh-ed25519 AAAA…` without the key's comment (known_hosts wants type and key only). */
function hostKeyLine(publicKey: string): string {
  const [type, data] = publicKey.trim().split(/\s+/);
  if (!type || !data) throw new Error(`not an OpenSSH public key line: ${JSON.stringify(publicKey.slice(0, 40))}`);
  return `${type} ${data}`;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/** Whether a startup file is one of the identity files above (a fork rewrites exactly these). */
export function isSshIdentityFile(path: string): boolean {
  return /\/\.ssh\/(id_ed25519|id_ed25519\.pub|known_hosts)$/.test(path);
}
