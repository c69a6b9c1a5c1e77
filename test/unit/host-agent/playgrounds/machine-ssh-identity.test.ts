import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEd25519 } from '../../../../host-agent/keys/keys';
import { machineUsers } from '../../../../host-agent/manifests/users';
import { machineSshIdentityFiles, withSshIdentity } from '../../../../host-agent/playgrounds/machine-ssh-identity';

describe('machineSshIdentityFiles', () => {
  const userKey = generateEd25519('sandlot pg-test');
  const hostKeys = { 'node-01': generateEd25519('node-01'), 'node-02': generateEd25519('node-02') };
  const files = machineSshIdentityFiles(machineUsers(['laborant']), userKey, hostKeys);

  it('gives every user the key pair and a known_hosts, owned by that user', () => {
    expect(files.map((f) => `${f.path} ${f.mode} ${f.owner}`)).toEqual([
      '/root/.ssh/id_ed25519 0600 root:root',
      '/root/.ssh/id_ed25519.pub 0644 root:root',
      '/root/.ssh/known_hosts 0644 root:root',
      '/home/laborant/.ssh/id_ed25519 0600 laborant:laborant',
      '/home/laborant/.ssh/id_ed25519.pub 0644 laborant:laborant',
      '/home/laborant/.ssh/known_hosts 0644 laborant:laborant',
    ]);
  });

  it('writes files OpenSSH accepts: the key loads, known_hosts names each machine with its host key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-identity-'));
    try {
      for (const f of files.filter((x) => x.path.startsWith('/root/'))) {
        fs.writeFileSync(path.join(dir, path.basename(f.path)), f.content, { mode: parseInt(f.mode!, 8) });
      }
      // ssh-keygen -y derives the public key from the private one: the pair must match.
      const derived = execFileSync('ssh-keygen', ['-y', '-f', path.join(dir, 'id_ed25519')], { encoding: 'utf8' })
        .trim()
        .split(' ')
        .slice(0, 2)
        .join(' ');
      expect(userKey.publicKey.startsWith(derived)).toBe(true);
      for (const [machine, key] of Object.entries(hostKeys)) {
        const found = execFileSync('ssh-keygen', ['-F', machine, '-f', path.join(dir, 'known_hosts')], { encoding: 'utf8' });
        expect(found).toContain(key.publicKey.split(' ')[1]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the manifest's files first, at their indices, and lets them replace ours", () => {
    const manifest = [
      { path: '/root/notes.txt', content: 'hi' },
      { path: '/root/.ssh/known_hosts', content: 'mine\n' },
    ];
    const merged = withSshIdentity(manifest, files);
    expect(merged.slice(0, 2)).toEqual(manifest);
    expect(merged.filter((f) => f.path === '/root/.ssh/known_hosts')).toEqual([manifest[1]]);
    expect(merged).toHaveLength(2 + files.length - 1);
  });
});
