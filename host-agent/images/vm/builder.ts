// Turns a recipe chain (the same recipes the docker driver builds) into a microvm image:
// debootstrap'd rootfs (cached as a tarball per bootstrap recipe), each layer applied in
// a chroot, the vm layer on top, then `mkfs.ext4 -d` → a qcow2 base disk, plus the
// kernel and an initrd. Images are directories named by a content hash, so an unchanged
// recipe is never rebuilt, and several agents or test runs can share one cache dir.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOwnJson } from '../../util/json';
import { runCommand } from '../../util/run-command';
import { BUILTIN_RECIPES } from '../catalog';
import { OCI_MACHINE_LAYER, ociReference } from '../oci';
import { recipeChain, recipeHash, type InputOptions, type Recipe, type RecipeCatalog, type ResolvedInput } from '../recipe';
import { resolveLayers, unpackBootstrap, type ResolvedLayer } from '../rootfs-build';
import { applyLayer } from './chroot-layer';
import { ociToolsProblem, pullOciLayout, unpackOciLayout } from './oci-rootfs';
import { INITRD_INIT, VM_INIT } from './guest-scripts';
import { buildInitrd } from './initrd';
import { resolveGuestKernel, type GuestKernel } from './kernel';
import { withLock } from './lock';
import { vmLayerRecipe } from './vm-layer';

export type VmImageProgress = (image: string, message: string) => void;

/** A built image: everything a machine needs to boot. */
export interface VmImage {
  name: string;
  hash: string;
  dir: string;
  /** Read-only qcow2 base every machine's overlay backs onto. */
  disk: string;
  kernel: string;
  initrd: string;
  kernelVersion: string;
}

export interface VmImageBuilderOptions {
  /** Where images, the kernel and rootfs tarballs are kept. */
  cacheDir: string;
  catalog?: RecipeCatalog;
  mirror?: string;
  env?: NodeJS.ProcessEnv;
  /** Virtual size of the base disk (sparse; only used blocks take space). */
  diskBytes?: number;
}

const VM_FORMAT_VERSION = 1;
const DEFAULT_DISK_BYTES = 8 * 1024 ** 3;

export class VmImageBuilder {
  private readonly catalog: RecipeCatalog;
  private kernel: Promise<GuestKernel> | undefined;
  private readonly building = new Map<string, Promise<VmImage>>();

  constructor(private readonly options: VmImageBuilderOptions) {
    this.catalog = options.catalog ?? BUILTIN_RECIPES;
  }

  /** The recipe of a machine image; throws naming the known images. */
  recipe(name: string): Recipe {
    return recipeChain(this.catalog, name).at(-1)!;
  }

  guestKernel(): Promise<GuestKernel> {
    this.kernel ??= resolveGuestKernel(this.options.cacheDir, this.options.env).catch((err) => {
      this.kernel = undefined;
      throw err;
    });
    return this.kernel;
  }

  /** Content hash of the image: recipe chain, vm layer, guest scripts, kernel. */
  async resolve(name: string): Promise<{ hash: string; layers: ResolvedLayer[]; kernel: GuestKernel }> {
    const kernel = await this.guestKernel();
    const inputOptions: InputOptions = { env: this.options.env ?? process.env, cacheDir: path.join(this.options.cacheDir, 'inputs') };
    const layers = await resolveLayers(this.catalog, name, inputOptions, [vmLayerRecipe(kernel)]);
    const parentHash = layers.at(-1)!.hash;
    const hash = createHash('sha256')
      .update(
        JSON.stringify({ v: VM_FORMAT_VERSION, layers: parentHash, initrd: INITRD_INIT, init: VM_INIT, disk: this.options.diskBytes ?? DEFAULT_DISK_BYTES }),
      )
      .digest('hex');
    return { hash, layers, kernel };
  }

  /** The image if it is built already. */
  async find(name: string): Promise<VmImage | undefined> {
    const { hash } = await this.resolve(name);
    return readImage(this.imageDir(name, hash));
  }

  /** The image, building it first when missing. */
  async ensure(name: string, onProgress: VmImageProgress = () => {}): Promise<VmImage> {
    const resolved = await this.resolve(name);
    const dir = this.imageDir(name, resolved.hash);
    const ready = readImage(dir);
    if (ready) return ready;
    let p = this.building.get(dir);
    if (!p) {
      p = withLock(`${dir}.lock`, async () => readImage(dir) ?? (await this.build(name, resolved, dir, onProgress))).finally(() => this.building.delete(dir));
      this.building.set(dir, p);
    }
    return p;
  }

  private imageDir(name: string, hash: string): string {
    return path.join(this.options.cacheDir, 'images', `${name}-${hash.slice(0, 12)}`);
  }

  private async build(
    name: string,
    resolved: { hash: string; layers: ResolvedLayer[]; kernel: GuestKernel },
    dir: string,
    onProgress: VmImageProgress,
  ): Promise<VmImage> {
    const started = Date.now();
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const work = fs.mkdtempSync(`${dir}.work-`);
    const rootfs = path.join(work, 'rootfs');
    try {
      const [base, ...layers] = resolved.layers;
      await unpackBootstrap(this.options.cacheDir, base, rootfs, { mirror: this.options.mirror, onProgress: (m) => onProgress(name, m) });
      for (const layer of layers) {
        onProgress(name, `layer ${layer.recipe.name}`);
        await applyLayer(rootfs, layer.recipe, layer.inputs);
      }
      return await this.writeImage(name, resolved.hash, resolved.kernel, rootfs, work, dir, onProgress, started);
    } finally {
      await runCommand('rm', ['-rf', '--one-file-system', work]).catch(() => undefined);
    }
  }
  /** Kernel, initrd and the read-only qcow2 base disk of a finished rootfs, moved into `dir` whole. */
  private async writeImage(
    name: string,
    hash: string,
    kernel: GuestKernel,
    rootfs: string,
    work: string,
    dir: string,
    onProgress: VmImageProgress,
    started: number,
  ): Promise<VmImage> {
    onProgress(name, 'initrd and kernel');
    const out = path.join(work, 'image');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'initrd.img'), buildInitrd(rootfs, kernel.version));
    fs.copyFileSync(kernel.vmlinuz, path.join(out, 'vmlinuz'));
    onProgress(name, 'mkfs.ext4 -d → qcow2');
    const raw = path.join(work, 'disk.raw');
    fs.writeFileSync(raw, '');
    fs.truncateSync(raw, this.options.diskBytes ?? DEFAULT_DISK_BYTES);
    await runCommand('mkfs.ext4', ['-q', '-F', '-L', 'sandlot-root', '-d', rootfs, raw]);
    await runCommand('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, path.join(out, 'disk.qcow2')]);
    fs.rmSync(raw);
    // The base must never change under the overlays that back onto it.
    fs.chmodSync(path.join(out, 'disk.qcow2'), 0o444);
    const meta = { name, hash, kernelVersion: kernel.version, builtAt: new Date().toISOString() };
    fs.writeFileSync(path.join(out, 'image.json'), JSON.stringify(meta, null, 2));
    fs.renameSync(out, dir);
    onProgress(name, `built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return readImage(dir)!;
  }

  /**
   * A VM image from `oci://registry/image:tag`: pulled with skopeo (every time: the tag may
   * have moved), unpacked with umoci, then the Sandlot machine layer and the vm layer (plus
   * tini, which the VM init runs as PID 1) applied in a chroot — so the image needs apt
   * (Debian, Ubuntu). Keyed by the manifest digest: a new push is a new image.
   */
  async ensureOci(source: string, onProgress: VmImageProgress = () => {}): Promise<VmImage> {
    const problem = ociToolsProblem();
    if (problem) throw new Error(`${source}: the microvm driver pulls OCI images with skopeo and umoci; ${problem}`);
    const kernel = await this.guestKernel();
    const inputOptions: InputOptions = { env: this.options.env ?? process.env, cacheDir: path.join(this.options.cacheDir, 'inputs') };
    const base = path.join(this.options.cacheDir, 'oci');
    fs.mkdirSync(base, { recursive: true });
    const work = fs.mkdtempSync(path.join(base, '.pull-'));
    try {
      onProgress(source, `pulling ${ociReference(source)}`);
      let parentHash = await pullOciLayout(source, work);
      const vmLayer = vmLayerRecipe(kernel);
      const layers: ResolvedLayer[] = [];
      for (const recipe of [OCI_MACHINE_LAYER, { ...vmLayer, packages: [...(vmLayer.packages ?? []), 'tini'] }]) {
        const inputs: Record<string, ResolvedInput> = {};
        for (const input of recipe.inputs ?? []) inputs[input.name] = await input.resolve(inputOptions);
        parentHash = recipeHash(recipe, parentHash, Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.digest])));
        layers.push({ recipe, hash: parentHash, inputs });
      }
      const hash = createHash('sha256')
        .update(
          JSON.stringify({ v: VM_FORMAT_VERSION, layers: parentHash, initrd: INITRD_INIT, init: VM_INIT, disk: this.options.diskBytes ?? DEFAULT_DISK_BYTES }),
        )
        .digest('hex');
      const name = `oci-${createHash('sha256').update(ociReference(source)).digest('hex').slice(0, 8)}`;
      const dir = this.imageDir(name, hash);
      return (
        readImage(dir) ??
        (await withLock(`${dir}.lock`, async () => {
          const ready = readImage(dir);
          if (ready) return ready;
          const started = Date.now();
          fs.mkdirSync(path.dirname(dir), { recursive: true });
          onProgress(source, 'unpacking the image');
          const rootfs = await unpackOciLayout(work);
          for (const layer of layers) {
            onProgress(source, `layer ${layer.recipe.name}`);
            await applyLayer(rootfs, layer.recipe, layer.inputs);
          }
          return this.writeImage(name, hash, kernel, rootfs, work, dir, (_n, m) => onProgress(source, m), started);
        }))
      );
    } finally {
      await runCommand('rm', ['-rf', '--one-file-system', work]).catch(() => undefined);
    }
  }
}

/** The image in `dir` if it is complete (an image.json is written last). */
export function readImage(dir: string): VmImage | undefined {
  try {
    const meta = readOwnJson<{ name: string; hash: string; kernelVersion: string }>(path.join(dir, 'image.json'));
    return {
      name: meta.name,
      hash: meta.hash,
      dir,
      disk: path.join(dir, 'disk.qcow2'),
      kernel: path.join(dir, 'vmlinuz'),
      initrd: path.join(dir, 'initrd.img'),
      kernelVersion: meta.kernelVersion,
    };
  } catch {
    return undefined;
  }
}
