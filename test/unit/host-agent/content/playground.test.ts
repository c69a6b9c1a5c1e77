import { describe, expect, it } from 'vitest';
import { defaultMachine, manifestForContent } from '../../../../host-agent/content/playground';
import type { Content } from '../../../../host-agent/content/model';
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

const content = (machines: Content['playground']['machines']): Content => ({
  name: 'c',
  kind: 'challenge',
  format: 'iximiuz',
  title: 'My challenge',
  description: '',
  dir: '/x',
  playground: { template: 'two', machines },
  tasks: {},
  pages: [],
});

describe('manifestForContent', () => {
  it('applies per-machine overrides on top of the template', () => {
    const m = manifestForContent(
      content([{ name: 'a', resources: { ramSize: '2Gi' }, startupFiles: [{ path: '/root/x', content: 'y' }], noSSH: true }]),
      template,
    );
    expect(m.title).toBe('My challenge');
    expect(m.playground.machines[0]).toEqual({
      name: 'a',
      resources: { cpuCount: 1, ramSize: '2Gi' },
      startupFiles: [
        { path: '/etc/motd', content: 'hi' },
        { path: '/root/x', content: 'y' },
      ],
      noSSH: true,
    });
    expect(m.playground.machines[1]).toEqual({ name: 'b' });
    expect(defaultMachine(m)).toBe('a');
  });

  it('refuses overrides of machines the template does not have', () => {
    expect(() => manifestForContent(content([{ name: 'zz' }]), template)).toThrow('c: playground.machines: unknown machine "zz" (template "two" has a, b)');
  });
});
