import { describe, expect, it } from 'vitest';
import type { BaseCatalog } from '../../../../host-agent/manifests/base';
import { loadManifest, loadManifestText } from '../../../../host-agent/manifests/load';
import type { PlaygroundManifest } from '../../../../host-agent/manifests/schema';
import { problems } from './fixtures';

const two = loadManifestText(
  `kind: playground
name: pair
title: A pair
categories: [linux]
playground:
  driver: docker
  machines:
    - name: one
      image: docker
      users: [{ name: laborant, default: true }, { name: root }]
      resources: { cpuCount: 2, ramSize: 2Gi }
      startupFiles: [{ path: /etc/role, content: "one\\n" }]
    - name: two
      users: [{ name: root }]
  initTasks:
    init_base: { init: true, run: "true" }
  registryAuth: base:pass
`,
  'pair.yaml',
);
const bases: BaseCatalog = { get: (n) => (n === 'pair' ? two : undefined), names: () => ['pair'] };

const derived = (playground: string): PlaygroundManifest =>
  loadManifest(`kind: playground\nname: mine\nbase: pair\nplayground:\n${playground}`, 'mine.yaml', { bases }).manifest;

describe('base', () => {
  it("keeps a template's machines and everything the manifest leaves out", () => {
    const m = derived('  tabs: [{ machine: two }]\n');
    expect(m.playground.machines.map((x) => x.name)).toEqual(['one', 'two']);
    expect(m).toMatchObject({ name: 'mine', title: 'A pair', categories: ['linux'], playground: { driver: 'docker', registryAuth: 'base:pass' } });
    expect(m.base).toBeUndefined();
    expect(Object.keys(m.playground.initTasks ?? {})).toEqual(['init_base']);
  });

  it('takes a subset, tweaks machines field by field, appends startup files and merges init tasks', () => {
    const m = derived(`  machines:
    - name: one
      resources: { ramSize: 1Gi }
      startupFiles: [{ path: /etc/extra, content: "x" }]
      noSSH: true
  initTasks:
    init_mine: { init: true, run: "true" }
  registryAuth: mine:pass
`);
    expect(m.playground.machines).toHaveLength(1);
    expect(m.playground.machines[0]).toMatchObject({
      name: 'one',
      image: 'docker',
      users: [{ name: 'laborant', default: true }, { name: 'root' }],
      resources: { cpuCount: 2, ramSize: '1Gi' },
      noSSH: true,
      startupFiles: [
        { path: '/etc/role', content: 'one\n' },
        { path: '/etc/extra', content: 'x' },
      ],
    });
    expect(Object.keys(m.playground.initTasks ?? {})).toEqual(['init_base', 'init_mine']);
    expect(m.playground.registryAuth).toBe('mine:pass');
  });

  it('refuses new or renamed machines and unknown bases, naming what exists', () => {
    expect(problems('kind: playground\nname: mine\nbase: pair\nplayground:\n  machines: [{ name: one }, { name: three }]\n', 'mine.yaml', { bases })).toEqual([
      'mine.yaml: playground.machines[1].name: base "pair" has no machine "three" (expected one of one, two; base flexbox allows any machines)',
    ]);
    expect(problems('kind: playground\nname: mine\nbase: nothing\nplayground: {}\n', 'mine.yaml', { bases })).toEqual([
      'mine.yaml: base: unknown base "nothing" (expected flexbox or a template: pair)',
    ]);
  });

  it('uses the built-in templates as bases when none are given', () => {
    const m = loadManifestText(
      'kind: playground\nname: mine\nbase: k3s\nplayground:\n  machines: [{ name: cplane-01 }, { name: node-01, noSSH: true }]\n',
      'x',
    );
    expect(m.playground.machines.map((x) => [x.name, x.image, x.noSSH])).toEqual([
      ['cplane-01', 'k3s', undefined],
      ['node-01', 'k3s', true],
    ]);
    expect(m.playground.machines[0].startupFiles?.[0].path).toBe('/etc/sandlot/k3s.env');
  });

  it('lets flexbox (and no base) take any machines', () => {
    expect(
      loadManifestText('kind: playground\nname: mine\nbase: flexbox\nplayground:\n  machines: [{ name: anything }]\n', 'x').playground.machines[0].name,
    ).toBe('anything');
  });
});
