// Content `playground:` becomes a manifest based on its template, checked and applied by
// the manifest loader: a subset of the template's machines with their tweaks, and the
// manifest fields (tabs, networks, registryAuth, …) of iximiuz Labs' reference.
import { describe, expect, it } from 'vitest';
import { basesFrom, defaultMachine, manifestForContent, manifestName, playgroundProblems } from '../../../../host-agent/content/playground';
import type { Content, PlaygroundSection } from '../../../../host-agent/content/model';
import { loadManifestText } from '../../../../host-agent/manifests/load';

const template = loadManifestText(
  `kind: playground
name: two
title: Two
playground:
  machines:
    - name: a
      resources: { cpuCount: 1, ramSize: 1Gi }
      startupFiles: [{ path: /etc/motd, content: "hi" }]
    - name: b
`,
  'two.yaml',
);
const bases = basesFrom({ two: template });

const content = (section?: PlaygroundSection): Pick<Content, 'name' | 'title' | 'playground'> => ({
  name: 'My_Challenge',
  title: 'My challenge',
  playground: { template: 'two', ...(section ? { section } : {}) },
});

describe('manifestForContent', () => {
  it('keeps every template machine when the content lists none', () => {
    const { manifest } = manifestForContent(content(), bases);
    expect(manifest.playground.machines.map((m) => m.name)).toEqual(['a', 'b']);
    expect(manifest).toMatchObject({ name: 'my-challenge', title: 'My challenge' });
    expect('base' in manifest).toBe(false);
  });

  it('keeps only the listed machines, with their tweaks on top of the template', () => {
    const { manifest } = manifestForContent(
      content({ machines: [{ name: 'a', resources: { ramSize: '2GiB' }, startupFiles: [{ path: '/root/x', content: 'y' }], noSSH: true }] }),
      bases,
    );
    expect(manifest.playground.machines).toEqual([
      {
        name: 'a',
        resources: { cpuCount: 1, ramSize: '2GiB' },
        startupFiles: [
          { path: '/etc/motd', content: 'hi' },
          { path: '/root/x', content: 'y' },
        ],
        noSSH: true,
      },
    ]);
    expect(defaultMachine(manifest)).toBe('a');
    expect(defaultMachine(manifestForContent(content({ machines: [{ name: 'b' }] }), bases).manifest)).toBe('b');
  });

  it('takes the manifest fields iximiuz Labs content uses', () => {
    const { manifest } = manifestForContent(
      content({ registryAuth: 'me:pw', tabs: [{ kind: 'ide' }, { machine: 'a' }], networks: [{ name: 'lan', subnet: '10.9.0.0/24' }] }),
      bases,
    );
    expect(manifest.playground).toMatchObject({
      registryAuth: 'me:pw',
      tabs: [{ kind: 'ide' }, { machine: 'a' }],
      networks: [{ name: 'lan', subnet: '10.9.0.0/24' }],
    });
  });

  it('reports what the manifest loader refuses, naming the playground field', () => {
    expect(playgroundProblems(content({ machines: [{ name: 'zz' }] }), bases)).toEqual([
      'playground.machines[0].name: base "two" has no machine "zz" (expected one of a, b; base flexbox allows any machines)',
    ]);
    expect(playgroundProblems(content({ tabs: [{ kind: 'http-port', machine: 'nope', number: 80, name: 'App' }] }), bases)).toEqual([
      expect.stringMatching(/^playground\.tabs\[0\]\.machine: .*nope/),
    ]);
    expect(playgroundProblems(content(), bases)).toEqual([]);
  });

  it('names the manifest after the content, as a DNS label', () => {
    expect(manifestName('Linux_Basics 101')).toBe('linux-basics-101');
    expect(manifestName('___')).toBe('content');
    expect(manifestName('x'.repeat(80))).toHaveLength(63);
  });
});
