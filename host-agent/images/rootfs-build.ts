// The engine-free half of building a machine image, shared by the microvm image builder
// (which then makes a disk) and the sandbox driver's image roots (which keep the
// directory): resolving a recipe chain to content-hashed layers, and unpacking the
// debootstrap'd base from its cached tarball (made on first use).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from '../util/run-command';
import { recipeChain, recipeHash, type InputOptions, type Recipe, type RecipeCatalog, type ResolvedInput } from './recipe';
import { bootstrapRootfs } from './rootfs';
import { withLock } from './vm/lock';

export interface ResolvedLayer {
  recipe: Recipe;
  /** Hash of this layer and everything below it. */
  hash: string;
  inputs: Record<string, ResolvedInput>;
}

/** The chain of `name` (base first), plus `extra` layers on top, each with its inputs and cumulative hash. */
export async function resolveLayers(catalog: RecipeCatalog, name: string, inputOptions: InputOptions, extra: Recipe[] = []): Promise<ResolvedLayer[]> {
  const layers: ResolvedLayer[] = [];
  let parentHash: string | undefined;
  for (const recipe of [...recipeChain(catalog, name), ...extra]) {
    const inputs: Record<string, ResolvedInput> = {};
    for (const input of recipe.inputs ?? []) inputs[input.name] = await input.resolve(inputOptions);
    const digests = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.digest]));
    parentHash = recipeHash(recipe, parentHash, digests);
    layers.push({ recipe, hash: parentHash, inputs });
  }
  return layers;
}

/** Unpacks the base layer's rootfs into `rootfs` from its cached tarball under `cacheDir`, making the tarball first if needed. */
export async function unpackBootstrap(
  cacheDir: string,
  layer: ResolvedLayer,
  rootfs: string,
  opts: { mirror?: string; onProgress: (message: string) => void },
): Promise<void> {
  const tarball = path.join(cacheDir, 'rootfs', `${layer.recipe.name}-${layer.hash.slice(0, 12)}.tar`);
  await withLock(`${tarball}.lock`, async () => {
    if (fs.existsSync(tarball)) return;
    fs.mkdirSync(path.dirname(tarball), { recursive: true });
    const tmpDir = fs.mkdtempSync(`${tarball}.work-`);
    try {
      opts.onProgress(`debootstrap ${layer.recipe.bootstrap!.suite}`);
      await bootstrapRootfs(layer.recipe.bootstrap!, path.join(tmpDir, 'rootfs'), { mirror: opts.mirror, onProgress: opts.onProgress });
      await runCommand('tar', ['--numeric-owner', '--xattrs', '-C', path.join(tmpDir, 'rootfs'), '-cf', `${tarball}.tmp`, '.']);
      fs.renameSync(`${tarball}.tmp`, tarball);
    } finally {
      await runCommand('rm', ['-rf', '--one-file-system', tmpDir]).catch(() => undefined);
    }
  });
  fs.mkdirSync(rootfs, { recursive: true });
  await runCommand('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-xf', tarball]);
}
