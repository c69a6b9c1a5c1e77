import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RECIPES } from '../../../../host-agent/images/catalog';
import { SANDLOT_INIT } from '../../../../host-agent/images/machine-scripts';
import { imageTag, layerScript, machineNeeds, recipeChain, recipeHash, type Recipe } from '../../../../host-agent/images/recipe';

describe('recipes', () => {
  it('chains every built-in image down to the debian bootstrap', () => {
    for (const name of ['linux', 'docker', 'zig', 'k3s', 'registry']) {
      const chain = recipeChain(BUILTIN_RECIPES, name).map((r) => r.name);
      expect(chain[0]).toBe('debian');
      expect(chain.at(-1)).toBe(name);
    }
    expect(recipeChain(BUILTIN_RECIPES, 'docker').map((r) => r.name)).toEqual(['debian', 'linux', 'docker']);
  });

  it('names unknown images, loops and orphans clearly', () => {
    expect(() => recipeChain(BUILTIN_RECIPES, 'ubuntu')).toThrow('unknown image "ubuntu": expected one of linux, docker, zig, k3s');
    const loop = new Map<string, Recipe>([
      ['a', { name: 'a', description: '', parent: 'b' }],
      ['b', { name: 'b', description: '', parent: 'a' }],
    ]);
    expect(() => recipeChain(loop, 'a')).toThrow('image "a": recipe parents form a loop at "a"');
    const orphan = new Map<string, Recipe>([['x', { name: 'x', description: '', parent: 'gone' }]]);
    expect(() => recipeChain(orphan, 'x')).toThrow('unknown image "gone" (parent of "x")');
  });

  it('hashes everything that ends up in the image, and nothing else', () => {
    const base: Recipe = { name: 'l', description: 'one', parent: 'linux', packages: ['jq'], script: 'true' };
    const h = recipeHash(base, 'p', {});
    expect(recipeHash({ ...base, description: 'two' }, 'p', {})).toBe(h);
    expect(recipeHash({ ...base, packages: ['jq', 'tree'] }, 'p', {})).not.toBe(h);
    expect(recipeHash({ ...base, script: 'false' }, 'p', {})).not.toBe(h);
    expect(recipeHash(base, 'q', {})).not.toBe(h);
    expect(recipeHash({ ...base, files: [{ path: '/a', content: 'x' }] }, 'p', {})).not.toBe(
      recipeHash({ ...base, files: [{ path: '/a', content: 'x', mode: 0o755 }] }, 'p', {}),
    );
    const withInput: Recipe = { ...base, inputs: [{ name: 'k3s', dest: '/k3s', resolve: async () => ({ path: '', digest: '', source: '' }) }] };
    expect(recipeHash(withInput, 'p', { k3s: 'a' })).not.toBe(recipeHash(withInput, 'p', { k3s: 'b' }));
    expect(imageTag('linux', h)).toBe(`sandlot/linux:${h.slice(0, 12)}`);
  });

  it('renders a layer as one shell script and refuses odd package names', () => {
    const script = layerScript({ name: 'x', description: '', parent: 'linux', packages: ['docker.io', 'g++'], script: 'echo done' });
    execFileSync('sh', ['-n', '-c', script]);
    expect(script).toContain('apt-get install -y -qq --no-install-recommends docker.io g++');
    expect(script.trimEnd().endsWith('echo done')).toBe(true);
    expect(() => layerScript({ name: 'x', description: '', parent: 'linux', packages: ['jq; rm -rf /'] })).toThrow(
      'image "x": packages: expected a Debian package name, got "jq; rm -rf /"',
    );
  });

  it('tells drivers which images run an engine inside and what needs a real filesystem', () => {
    expect(machineNeeds(BUILTIN_RECIPES, 'linux')).toEqual({ privileged: false, volumes: [] });
    expect(machineNeeds(BUILTIN_RECIPES, 'docker')).toEqual({ privileged: true, volumes: ['/var/lib/docker'] });
    expect(machineNeeds(BUILTIN_RECIPES, 'k3s')).toEqual({ privileged: true, volumes: ['/var/lib/rancher'] });
  });

  it('ships an init that is valid shell', () => {
    execFileSync('sh', ['-n', '-c', SANDLOT_INIT]);
  });
});
