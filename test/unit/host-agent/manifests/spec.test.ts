import { describe, expect, it } from 'vitest';
import { loadManifestText } from '../../../../host-agent/manifests/load';
import { buildPlaygroundSpec } from '../../../../host-agent/manifests/spec';
import { FAKE_USER_KEY, fakeHostKey, specFrom } from '../../../helpers/spec';

describe('playground spec builder', () => {
  it('fills users, default user, resources, startup files with the SSH identity, keys, networks and drives', () => {
    const spec = specFrom(`
kind: playground
name: two
playground:
  machines:
    - name: dev
      users: [{ name: laborant }, { name: root }]
      resources: { cpuCount: 2, ramSize: 2GiB }
      startupFiles: [{ path: /home/laborant/.bashrc, content: "alias k=kubectl\\n", append: true }]
    - name: quiet
      noSSH: true
`);
    expect(spec).toMatchObject({ id: 'pg-abcd', dir: '/tmp/pg-abcd', authorizedKey: FAKE_USER_KEY.publicKey });
    const [dev, quiet] = spec.machines;
    expect(dev).toMatchObject({
      name: 'dev',
      index: 0,
      image: 'linux',
      defaultUser: 'laborant',
      resources: { cpuCount: 2, ramSize: '2GiB', ramBytes: 2 * 1024 ** 3 },
      noSSH: false,
      hostKey: fakeHostKey('dev'),
    });
    expect(dev.users.map((u) => `${u.name}:${u.uid}:${u.home}`)).toEqual(['root:0:/root', 'laborant:1000:/home/laborant']);
    expect(dev.startupFiles[0]).toEqual({ path: '/home/laborant/.bashrc', content: 'alias k=kubectl\n', append: true });
    expect(dev.startupFiles.map((f) => f.path)).toContain('/home/laborant/.ssh/known_hosts');
    expect(quiet).toMatchObject({ name: 'quiet', index: 1, defaultUser: 'root', noSSH: true, resources: { cpuCount: 1, ramSize: '1Gi' } });
    expect(quiet.users.map((u) => u.name)).toEqual(['root']);
    expect(quiet.interfaces[0].address).toBe('172.16.0.3');
  });

  it('refuses to build what does not plan, and a machine without a host key', () => {
    const m = loadManifestText('kind: playground\nname: x\nplayground:\n  machines: [{ name: a }]\n', 'x.yaml');
    expect(() => buildPlaygroundSpec(m, { id: 'pg-x', dir: '/x', userKey: FAKE_USER_KEY, hostKeys: {} })).toThrow('no host key for machine "a"');
    // A manifest changed after validation (the builder re-plans instead of trusting it).
    m.playground.machines[0].network = { interfaces: [{ network: 'nowhere' }] };
    expect(() => buildPlaygroundSpec(m, { id: 'pg-x', dir: '/x', userKey: FAKE_USER_KEY, hostKeys: { a: fakeHostKey('a') } })).toThrow(
      'manifest "x" does not plan:\nplayground.machines[0].network.interfaces[0].network: unknown network "nowhere" (expected one of local)',
    );
  });
});
