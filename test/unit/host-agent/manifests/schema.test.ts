import { describe, expect, it } from 'vitest';
import { checkManifest } from '../../../../host-agent/manifests/checks';
import { loadManifest } from '../../../../host-agent/manifests/load';
import { specFrom } from '../../../helpers/spec';
import { fixture, problems, withPlayground } from './fixtures';

describe('the whole manifest', () => {
  it('accepts and carries every field of the iximiuz manifest reference', () => {
    const { manifest: m, warnings } = loadManifest(fixture('every-field.playground.yaml'), 'every-field.playground.yaml');
    expect(warnings).toEqual([]);
    expect(m).toMatchObject({
      kind: 'playground',
      name: 'every-field',
      title: 'Every field of a playground manifest',
      categories: ['linux', 'networking'],
      markdown: '## What is inside\nA gateway and a worker.\n',
      cover: 'https://example.com/cover.png',
    });
    expect(m.base).toBeUndefined(); // flexbox applied: the result stands on its own
    const [gateway, worker] = m.playground.machines;
    expect(gateway).toMatchObject({ backend: 'firecracker', kernel: { source: '6.1' }, noSSH: false, resources: { cpuCount: 2, ramSize: '2GiB' } });
    expect(gateway.users?.[1]).toEqual({ name: 'root', welcome: '-' });
    expect(gateway.startupFiles?.map((f) => [f.owner, f.mode])).toEqual([
      [undefined, undefined],
      ['laborant:laborant', '600'],
      ['1000:1000', '0640'],
    ]);
    expect(worker).toMatchObject({ image: 'docker', noSSH: true });
    expect(m.playground.tabs).toHaveLength(6);
    expect(m.playground.initConditions?.values[1]).toEqual({
      key: 'repo_url',
      default: '',
      nullable: true,
      placeholder: 'https://git.example.com/you/repo',
      validationRegex: '^https://.*$',
    });
    expect(m.playground.initTasks?.init_seed).toMatchObject({ needs: ['init_tools'], conditions: [{ key: 'size', value: 'large' }], env: ['SEED=1'] });
    expect(m.playground.registryAuth).toBe('acme:s3cret');
    expect(m.playground.accessControl).toEqual({ canList: ['anyone'], canRead: ['authenticated'], canStart: ['owner', 'user:alice', 'student:k8s-101'] });
  });

  it('builds the spec of every field: backend, kernel, numeric owners by name, welcome banners', () => {
    const spec = specFrom(fixture('every-field.playground.yaml'));
    const [gateway, worker] = spec.machines;
    expect(gateway).toMatchObject({ image: 'linux', backend: 'firecracker', kernel: '6.1', defaultUser: 'laborant' });
    expect(worker).toMatchObject({ image: 'docker', noSSH: true, resources: { ramBytes: 512 * 1024 ** 2 } });
    expect(worker.backend).toBeUndefined();
    expect(gateway.startupFiles.find((f) => f.path === '/opt/numeric')?.owner).toBe('laborant:laborant');
    const paths = gateway.startupFiles.map((f) => f.path);
    // laborant's banner replaces the image's; root's is only silenced ('-').
    expect(paths).toEqual(expect.arrayContaining(['/home/laborant/.hushlogin', '/home/laborant/.profile', '/home/laborant/.bashrc', '/root/.hushlogin']));
    expect(paths).not.toContain('/root/.profile');
    const banner = gateway.startupFiles.find((f) => f.path === '/home/laborant/.profile');
    expect(banner).toMatchObject({ append: true, owner: 'laborant:laborant' });
    expect(banner?.content).toContain("printf '%s' 'This is the gateway.\n'");
  });

  it('accepts both RAM spellings, modes with or without the leading zero (also unquoted), and all owner forms', () => {
    const sizes = ['512MiB', '2GiB', '512Mi', '2Gi', '1G'].map(
      (ramSize) => specFrom(withPlayground('', `{ name: dev, resources: { ramSize: ${ramSize} } }`)).machines[0].resources.ramBytes,
    );
    expect(sizes).toEqual([512 * 1024 ** 2, 2 * 1024 ** 3, 512 * 1024 ** 2, 2 * 1024 ** 3, 1e9]);
    const files = loadManifest(
      withPlayground(
        '',
        '{ name: dev, startupFiles: [{ path: /a, content: x, mode: 600 }, { path: /b, content: x, mode: "0755", owner: "0" }, { path: /c, content: x, owner: "bob:staff" }] }',
      ),
      'x',
    ).manifest.playground.machines[0].startupFiles;
    expect(files?.map((f) => [f.mode, f.owner])).toEqual([
      ['600', undefined],
      ['0755', '0'],
      [undefined, 'bob:staff'],
    ]);
  });

  it('names the file, the field and what was expected for each kind of shape error', () => {
    const cases: [string, string][] = [
      ['kind: tutorial\nname: x\nplayground: { machines: [{ name: a }] }\n', 'pg.yaml: kind: expected "playground", got "tutorial"'],
      ['kind: playground\nname: x\nplayground: { machines: [{ name: a }] }\nsurprise: 1\n', 'pg.yaml: (top level): unknown field "surprise"'],
      ['kind: playground\nname: x\nplayground: { machines: [{ name: a, users: [] }] }\n', 'pg.yaml: playground.machines[0].users: expected at least one user'],
      [withPlayground('', '{ name: a, backend: qemu }'), 'pg.yaml: playground.machines[0].backend: expected one of firecracker, cloud-hypervisor, got "qemu"'],
      [
        withPlayground('', '{ name: a, kernel: { source: latest } }'),
        'pg.yaml: playground.machines[0].kernel.source: expected a kernel version like "6.1", got "latest"',
      ],
      [
        withPlayground('', '{ name: a, resources: { ramSize: 2 GB } }'),
        'pg.yaml: playground.machines[0].resources.ramSize: expected a size like "512MiB", "2GiB", "512Mi" or "2Gi", got "2 GB"',
      ],
      [
        withPlayground('', '{ name: a, startupFiles: [{ path: /x, content: y, mode: "rw" }] }'),
        'pg.yaml: playground.machines[0].startupFiles[0].mode: expected an octal mode like "644" or "0644", got "rw"',
      ],
      [
        withPlayground('', '{ name: a, startupFiles: [{ path: /x, content: y, mode: 999 }] }'),
        'pg.yaml: playground.machines[0].startupFiles[0].mode: expected an octal mode like "644" or "0644", got "999"',
      ],
      [
        withPlayground('', '{ name: a, startupFiles: [{ path: /x, content: y, owner: "Bob Smith" }] }'),
        'pg.yaml: playground.machines[0].startupFiles[0].owner: expected "user", "user:group" or numeric "UID[:GID]", got "Bob Smith"',
      ],
      [
        withPlayground('', `{ name: a, startupFiles: [${Array.from({ length: 11 }, (_, i) => `{ path: /f${i}, content: x }`).join(', ')}] }`),
        'pg.yaml: playground.machines[0].startupFiles: expected at most 10 startup files',
      ],
      [withPlayground('  registryAuth: "a:b:c"\n'), 'pg.yaml: playground.registryAuth: expected "user:password" (exactly one colon)'],
      [
        withPlayground('  accessControl: { canStart: [everyone] }\n'),
        'pg.yaml: playground.accessControl.canStart[0]: expected owner, anyone, authenticated, user:<id> or student:<training>, got "everyone"',
      ],
      [withPlayground('  accessControl: { canList: [] }\n'), 'pg.yaml: playground.accessControl.canList: expected at least one principal'],
      [withPlayground('  access: { mode: secret }\n'), 'pg.yaml: playground.access.mode: expected private or public, got "secret"'],
      [`kind: playground\nname: x\ntitle: "${'t'.repeat(121)}"\nplayground: { machines: [{ name: a }] }\n`, 'pg.yaml: title: expected at most 120 characters'],
      [
        'kind: playground\nname: x\nplayground: {}\n',
        'pg.yaml: playground.machines: required field is missing (expected 1 to 5 machines; only a template base brings its own)',
      ],
    ];
    for (const [text, expected] of cases) expect(problems(text)).toEqual([expected]);
  });

  it('keeps an empty registryAuth (no auth) and accepts an iximiuz sample-tutorial style tab list', () => {
    expect(loadManifest(withPlayground('  registryAuth: ""\n'), 'x').manifest.playground.registryAuth).toBe('');
    const { manifest } = loadManifest(
      withPlayground(
        '  tabs:\n    - kind: ide\n    - machine: dev\n    - { kind: web-page, name: example.com, url: "https://example.com", pane: right, target: window }\n',
      ),
      'x',
    );
    expect(checkManifest(manifest)).toEqual({ problems: [], warnings: [] });
  });
});
