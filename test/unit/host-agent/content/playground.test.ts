import { describe, expect, it } from 'vitest';
import { carriedFieldsNotApplied, defaultMachine, manifestForContent } from '../../../../host-agent/content/playground';
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
  it('keeps every template machine when the content lists none', () => {
    expect(manifestForContent(content(undefined), template).playground.machines.map((m) => m.name)).toEqual(['a', 'b']);
  });

  it('applies per-machine overrides on top of the template, keeping only the listed machines', () => {
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
    // iximiuz Labs: listing machines picks a subset of the template's.
    expect(m.playground.machines.map((x) => x.name)).toEqual(['a']);
    expect(defaultMachine(m)).toBe('a');
    expect(defaultMachine(manifestForContent(content([{ name: 'b' }]), template))).toBe('b');
  });

  it('passes carried fields the manifest schema knows and reports the others', () => {
    const c = content([{ name: 'a', fields: { drives: [{ source: 'x', mount: '/' }] } }]);
    c.playground.fields = { registryAuth: 'me:pw', tabs: [{ kind: 'ide' }] };
    const m = manifestForContent(c, template);
    expect(m.playground.registryAuth).toBe('me:pw');
    expect('tabs' in m.playground).toBe(false);
    expect(carriedFieldsNotApplied(c)).toEqual(['playground.tabs', 'playground.machines[0].drives']);
  });

  it('refuses overrides of machines the template does not have', () => {
    expect(() => manifestForContent(content([{ name: 'zz' }]), template)).toThrow('c: playground.machines: unknown machine "zz" (template "two" has a, b)');
  });
});
