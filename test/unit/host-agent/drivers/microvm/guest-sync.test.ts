import { describe, expect, it } from 'vitest';
import { playgroundLogin } from '../../../../../host-agent/drivers/microvm/guest-sync';
import { specFrom } from '../../../../helpers/spec';

const MANIFEST = `kind: playground
name: t
playground:
  machines:
    - name: dev
      users: [{ name: root }, { name: laborant, default: true }]
`;

describe('the playground login the driver uses to sync a guest', () => {
  it("is the playground key pair a user's home gets, with that user", () => {
    const spec = specFrom(MANIFEST, 'pg-x');
    const login = playgroundLogin(spec, spec.machines[0]);
    expect(login?.user).toBe('root');
    expect(login?.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });

  it('is none when the manifest replaced every key file with one that is not the playground key', () => {
    const spec = specFrom(MANIFEST, 'pg-x');
    const m = spec.machines[0];
    const other = { ...m, startupFiles: m.startupFiles.map((f) => (f.path.endsWith('.pub') ? { ...f, content: 'ssh-ed25519 AAAAother x\n' } : f)) };
    expect(playgroundLogin(spec, other)).toBeUndefined();
  });
});
