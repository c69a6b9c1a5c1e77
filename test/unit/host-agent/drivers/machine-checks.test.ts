import { describe, expect, it } from 'vitest';
import { hostSizeProblems, imageProblems, type RecipeSource } from '../../../../host-agent/drivers/machine-checks';
import { BUILTIN_RECIPES } from '../../../../host-agent/images/catalog';
import { recipeChain } from '../../../../host-agent/images/recipe';
import { machine } from './docker/fixtures';

// The builders' own recipe(): the last of the chain, throwing for unknown names.
const images: RecipeSource = { recipe: (name) => recipeChain(BUILTIN_RECIPES, name).at(-1)! };
const host = { memBytes: 8 * 1024 ** 3, cpus: 4 };

describe('imageProblems', () => {
  it('accepts a machine image, and an empty image as the default linux', () => {
    expect(imageProblems(machine({ image: 'linux' }), images, 'docker')).toEqual([]);
    expect(imageProblems(machine({ image: '' }), images, 'docker')).toEqual([]);
  });

  it('refuses a building block and an unknown image, naming the field and the driver', () => {
    expect(imageProblems(machine({ index: 1, image: 'debian' }), images, 'microvm')).toEqual([
      'playground.machines[1].image: "debian" is a building block, not a machine image (microvm driver)',
    ]);
    const [unknown] = imageProblems(machine({ image: 'nope' }), images, 'docker');
    expect(unknown).toMatch(/^playground\.machines\[0\]\.image: unknown image "nope": expected one of .*linux.* \(docker driver\)$/);
  });
});

describe('hostSizeProblems', () => {
  it('accepts a machine that fits the host', () => {
    expect(hostSizeProblems(machine(), host, 'docker')).toEqual([]);
  });

  it('refuses more memory and more CPUs than the host has, memory first', () => {
    const big = machine({ index: 2, resources: { cpuCount: 5, ramSize: '16Gi', ramBytes: 16 * 1024 ** 3 } });
    expect(hostSizeProblems(big, host, 'microvm')).toEqual([
      "playground.machines[2].resources.ramSize: 16Gi is more than this host's memory (8.0 GiB) (microvm driver)",
      "playground.machines[2].resources.cpuCount: 5 is more than this host's 4 CPUs (microvm driver)",
    ]);
  });
});
