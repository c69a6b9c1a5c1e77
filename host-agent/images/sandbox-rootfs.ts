// Image roots for the sandbox driver: the same recipes the docker and microvm drivers
// build, kept as a directory (base unpacked from the shared debootstrap tarball, each
// layer applied in a chroot). A machine mounts it read-only, through an idmapped mount,
// as the lower layer of its own overlay. Directories are named by content hash, so an
// unchanged recipe is never rebuilt; image.json is written last and marks a complete one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOwnJson } from '../util/json';
import { runCommand } from '../util/run-command';
import { BUILTIN_RECIPES } from './catalog';
import { recipeChain, type InputOptions, type RecipeCatalog } from './recipe';
import { resolveLayers, unpackBootstrap } from './rootfs-build';
import { applyLayer } from './vm/chroot-layer';
import { withLock } from './vm/lock';

export interface SandboxRootfs {
  name: string;
  hash: string;
  /** The root directory machines see (read-only lower layer). */
  rootfs: string;
}

export interface SandboxRootfsOptions {
  /** Shared with the microvm builder, so the debootstrap tarball is made once. */
  cacheDir: string;
  catalog?: RecipeCatalog;
  mirror?: string;
  env?: NodeJS.ProcessEnv;
}

const FORMAT_VERSION = 1;

export class SandboxRootfsBuilder {
  private readonly catalog: RecipeCatalog;
  private readonly building = new Map<string, Promise<SandboxRootfs>>();

  constructor(private readonly options: SandboxRootfsOptions) {
    this.catalog = options.catalog ?? BUILTIN_RECIPES;
  }

  /** The image cache this builder keeps its rootfs directories in. */
  get cacheDir(): string {
    return this.options.cacheDir;
  }

  /** Throws naming the known images when `name` is not one. */
  check(name: string): void {
    recipeChain(this.catalog, name);
  }

  private async resolve(name: string) {
    const inputOptions: InputOptions = { env: this.options.env ?? process.env, cacheDir: path.join(this.options.cacheDir, 'inputs') };
    const layers = await resolveLayers(this.catalog, name, inputOptions);
    const dir = path.join(this.options.cacheDir, 'sandbox', `${name}-v${FORMAT_VERSION}-${layers.at(-1)!.hash.slice(0, 12)}`);
    return { layers, dir };
  }

  /** The rootfs if it is built already. */
  async find(name: string): Promise<SandboxRootfs | undefined> {
    return readRootfs((await this.resolve(name)).dir);
  }

  /** The rootfs, building it first when missing (root only: debootstrap and chroot). */
  async ensure(name: string, onProgress: (message: string) => void = () => {}): Promise<SandboxRootfs> {
    const { layers, dir } = await this.resolve(name);
    const ready = readRootfs(dir);
    if (ready) return ready;
    let p = this.building.get(dir);
    if (!p) {
      p = withLock(`${dir}.lock`, async () => readRootfs(dir) ?? (await this.build(name, layers, dir, onProgress))).finally(() => this.building.delete(dir));
      this.building.set(dir, p);
    }
    return p;
  }

  private async build(name: string, layers: Awaited<ReturnType<typeof resolveLayers>>, dir: string, onProgress: (m: string) => void): Promise<SandboxRootfs> {
    const started = Date.now();
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const work = fs.mkdtempSync(`${dir}.work-`);
    const rootfs = path.join(work, 'rootfs');
    try {
      const [base, ...rest] = layers;
      await unpackBootstrap(this.options.cacheDir, base, rootfs, { mirror: this.options.mirror, onProgress });
      for (const layer of rest) {
        onProgress(`layer ${layer.recipe.name}`);
        await applyLayer(rootfs, layer.recipe, layer.inputs);
      }
      fs.writeFileSync(path.join(work, 'image.json'), JSON.stringify({ name, hash: layers.at(-1)!.hash, builtAt: new Date().toISOString() }, null, 2));
      fs.renameSync(work, dir);
      onProgress(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return readRootfs(dir)!;
    } catch (err) {
      await runCommand('rm', ['-rf', '--one-file-system', work]).catch(() => undefined);
      throw err;
    }
  }
}

export function readRootfs(dir: string): SandboxRootfs | undefined {
  try {
    const meta = readOwnJson<{ name: string; hash: string }>(path.join(dir, 'image.json'));
    return { name: meta.name, hash: meta.hash, rootfs: path.join(dir, 'rootfs') };
  } catch {
    return undefined;
  }
}
