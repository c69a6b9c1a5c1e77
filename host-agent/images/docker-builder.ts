// Turns recipe chains into Docker Engine images: the bootstrap recipe becomes a rootfs
// imported as an image, each layer recipe a build FROM its parent. Tags come from the
// recipes' content hashes, so an unchanged recipe is never rebuilt and a changed one is.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { BUILTIN_RECIPES } from './catalog';
import { OCI_MACHINE_LAYER, OCI_TINI, ociReference } from './oci';
import { imageTag, layerScript, recipeChain, recipeHash, type InputOptions, type Recipe, type RecipeCatalog, type ResolvedInput } from './recipe';
import { bootstrapRootfs, tarDirectory } from './rootfs';
import { errorMessage } from '../util/errors';
import { statusCode } from '../drivers/docker/engine';

export type ImageProgress = (image: string, message: string) => void;

export interface DockerImageBuilderOptions {
  catalog?: RecipeCatalog;
  /** Scratch space for rootfs trees, build contexts and downloads. */
  cacheDir: string;
  mirror?: string;
  inputs?: Partial<Omit<InputOptions, 'cacheDir'>>;
}

export interface ResolvedImage {
  name: string;
  tag: string;
  hash: string;
  recipe: Recipe;
  parent?: ResolvedImage;
  inputs: Record<string, ResolvedInput>;
}

export interface ImageSummary {
  name: string;
  description: string;
  /** Tag the current recipe builds. */
  tag?: string;
  built: boolean;
  sizeBytes?: number;
  /** Why the tag cannot be computed (e.g. a missing k3s binary). */
  problem?: string;
}

export class DockerImageBuilder {
  private readonly catalog: RecipeCatalog;
  private readonly resolved = new Map<string, Promise<ResolvedImage>>();
  private readonly building = new Map<string, Promise<void>>();

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerImageBuilderOptions,
  ) {
    this.catalog = options.catalog ?? BUILTIN_RECIPES;
  }

  recipes(): Recipe[] {
    return [...this.catalog.values()];
  }

  recipe(name: string): Recipe {
    return recipeChain(this.catalog, name).at(-1)!;
  }

  /** Computes the tag of an image (resolving its inputs); fails if an input is missing. */
  resolve(name: string): Promise<ResolvedImage> {
    let p = this.resolved.get(name);
    if (!p) {
      p = this.resolveUncached(name);
      // A failed resolution (missing input) must be retried after the user provides it.
      p.catch(() => this.resolved.delete(name));
      this.resolved.set(name, p);
    }
    return p;
  }

  private async resolveUncached(name: string): Promise<ResolvedImage> {
    const recipe = this.recipe(name);
    const parent = recipe.parent ? await this.resolve(recipe.parent) : undefined;
    const inputOptions: InputOptions = { env: process.env, ...this.options.inputs, cacheDir: path.join(this.options.cacheDir, 'inputs') };
    const inputs: Record<string, ResolvedInput> = {};
    for (const input of recipe.inputs ?? []) inputs[input.name] = await input.resolve(inputOptions);
    const digests = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.digest]));
    const hash = recipeHash(recipe, parent?.hash, digests);
    return { name, tag: imageTag(name, hash), hash, recipe, parent, inputs };
  }

  async exists(tag: string): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect();
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  }

  /** The image's tag, building it and any missing ancestors first. */
  async ensure(name: string, onProgress: ImageProgress = () => {}): Promise<string> {
    const image = await this.resolve(name);
    await this.ensureResolved(image, onProgress, false);
    return image.tag;
  }

  /** Rebuilds the image itself even if its tag exists (ancestors only when missing). */
  async rebuild(name: string, onProgress: ImageProgress = () => {}): Promise<string> {
    const image = await this.resolve(name);
    await this.ensureResolved(image, onProgress, true);
    return image.tag;
  }

  private async ensureResolved(image: ResolvedImage, onProgress: ImageProgress, force: boolean): Promise<void> {
    if (!force && (await this.exists(image.tag))) return;
    let p = this.building.get(image.tag);
    if (!p) {
      p = (async () => {
        if (image.parent) await this.ensureResolved(image.parent, onProgress, false);
        const started = Date.now();
        onProgress(image.name, `building ${image.tag}`);
        if (image.recipe.bootstrap) await this.buildBootstrap(image, onProgress);
        else await this.buildLayer(image, onProgress);
        onProgress(image.name, `built ${image.tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      })().finally(() => this.building.delete(image.tag));
      this.building.set(image.tag, p);
    }
    await p;
  }

  private async buildBootstrap(image: ResolvedImage, onProgress: ImageProgress): Promise<void> {
    const bootstrap = image.recipe.bootstrap!;
    fs.mkdirSync(this.options.cacheDir, { recursive: true });
    const work = fs.mkdtempSync(path.join(this.options.cacheDir, `rootfs-${image.name}-`));
    const dir = path.join(work, 'rootfs');
    try {
      onProgress(image.name, `debootstrap ${bootstrap.suite} (${bootstrap.include.length} extra packages)`);
      await bootstrapRootfs(bootstrap, dir, { mirror: this.options.mirror, onProgress: (m) => onProgress(image.name, m) });
      onProgress(image.name, 'importing the rootfs into the engine');
      const [repo, tag] = image.tag.split(':');
      const tar = tarDirectory(dir);
      const stream = await this.docker.importImage(tar.stream, { repo, tag });
      await Promise.all([this.follow(stream, image.name, onProgress), tar.done]);
      if (!(await this.exists(image.tag))) throw new Error(`image ${image.name}: import finished but ${image.tag} is not in the engine`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  /**
   * A machine image from `oci://registry/image:tag`: pulled through the engine, then the
   * Sandlot machine layer (oci.ts) on top, with a static tini taken from the `linux` image.
   * Tagged by the pulled image's id and the layer, so a new push of the tag is a new image.
   */
  async ensureOci(source: string, onProgress: ImageProgress = () => {}): Promise<string> {
    const ref = ociReference(source);
    onProgress(source, `pulling ${ref}`);
    try {
      const stream = await this.docker.pull(ref);
      await this.follow(stream, source, () => {});
    } catch (err) {
      throw new Error(`${source}: the engine cannot pull ${ref}: ${errorMessage(err).trim()}`, { cause: err });
    }
    const pulled = await this.docker.getImage(ref).inspect();
    const linux = await this.ensure('linux', onProgress);
    const layerHash = recipeHash(OCI_MACHINE_LAYER, pulled.Id, {});
    const tag = `sandlot/oci-${createHash('sha256').update(ref).digest('hex').slice(0, 8)}:${createHash('sha256')
      .update(layerHash + linux)
      .digest('hex')
      .slice(0, 12)}`;
    if (await this.exists(tag)) return tag;
    onProgress(source, `adding the Sandlot machine layer → ${tag}`);
    fs.mkdirSync(this.options.cacheDir, { recursive: true });
    const ctx = fs.mkdtempSync(path.join(this.options.cacheDir, 'context-oci-'));
    try {
      for (const f of OCI_MACHINE_LAYER.files ?? []) {
        const dest = path.join(ctx, 'rootfs', f.path);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, f.content);
        fs.chmodSync(dest, f.mode ?? 0o644);
      }
      fs.writeFileSync(path.join(ctx, 'layer.sh'), layerScript(OCI_MACHINE_LAYER));
      const lines = [
        `FROM ${linux} AS sandlot`,
        `FROM ${pulled.Id}`,
        // The image may run as someone else; the machine's init runs as root.
        'USER root',
        `COPY --from=sandlot /usr/bin/tini-static ${OCI_TINI}`,
        'COPY rootfs/ /',
        'COPY layer.sh /tmp/sandlot-layer.sh',
        'RUN sh /tmp/sandlot-layer.sh && rm -f /tmp/sandlot-layer.sh',
        `ENTRYPOINT ${JSON.stringify(OCI_MACHINE_LAYER.entrypoint)}`,
        'CMD []',
        `LABEL sandlot.image="oci" sandlot.source=${JSON.stringify(ref)}`,
      ];
      fs.writeFileSync(path.join(ctx, 'Dockerfile'), lines.join('\n') + '\n');
      await this.buildContext(ctx, tag, source, onProgress);
    } catch (err) {
      throw new Error(`${source}: ${errorMessage(err)}`, { cause: err });
    } finally {
      fs.rmSync(ctx, { recursive: true, force: true });
    }
    return tag;
  }

  private async buildLayer(image: ResolvedImage, onProgress: ImageProgress): Promise<void> {
    const recipe = image.recipe;
    fs.mkdirSync(this.options.cacheDir, { recursive: true });
    const ctx = fs.mkdtempSync(path.join(this.options.cacheDir, `context-${image.name}-`));
    try {
      const lines = [`FROM ${image.parent!.tag}`];
      if (recipe.files?.length) {
        for (const f of recipe.files) {
          const dest = path.join(ctx, 'rootfs', f.path);
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          fs.writeFileSync(dest, f.content, { mode: f.mode ?? 0o644 });
          fs.chmodSync(dest, f.mode ?? 0o644); // the umask must not change what the image gets
        }
        lines.push('COPY rootfs/ /');
      }
      for (const input of recipe.inputs ?? []) {
        fs.mkdirSync(path.join(ctx, 'inputs'), { recursive: true });
        // A symlink, dereferenced by tar -h: no copy of a 300 MB toolchain per build.
        fs.symlinkSync(image.inputs[input.name].path, path.join(ctx, 'inputs', input.name));
        lines.push(`COPY inputs/${input.name} ${input.dest}`);
      }
      fs.writeFileSync(path.join(ctx, 'layer.sh'), layerScript(recipe));
      lines.push('COPY layer.sh /tmp/sandlot-layer.sh', 'RUN sh /tmp/sandlot-layer.sh && rm -f /tmp/sandlot-layer.sh');
      if (recipe.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(recipe.entrypoint)}`, 'CMD []');
      lines.push(`LABEL sandlot.image=${JSON.stringify(image.name)} sandlot.recipe-hash=${JSON.stringify(image.hash)}`);
      fs.writeFileSync(path.join(ctx, 'Dockerfile'), lines.join('\n') + '\n');

      await this.buildContext(ctx, image.tag, image.name, onProgress);
    } finally {
      fs.rmSync(ctx, { recursive: true, force: true });
    }
  }

  /** Builds a prepared context directory (Dockerfile and files) into `tag`. */
  private async buildContext(ctx: string, tag: string, name: string, onProgress: ImageProgress): Promise<void> {
    const tar = spawn('tar', ['-h', '-C', ctx, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stream = await this.docker.buildImage(tar.stdout, {
      t: tag,
      rm: true,
      forcerm: true,
      // Host networking: the build needs apt's mirror and must not depend on the engine
      // having a default bridge (test engines run without one).
      networkmode: 'host',
    });
    await this.follow(stream, name, onProgress);
    if (!(await this.exists(tag))) throw new Error(`image ${name}: build finished but ${tag} is not in the engine`);
  }

  /** Follows an engine progress stream; rejects with the engine's error and the last output. */
  private follow(stream: NodeJS.ReadableStream, name: string, onProgress: ImageProgress): Promise<void> {
    const tail: string[] = [];
    return new Promise((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, events: Array<{ error?: string }>) => {
          const failed = err?.message ?? events.find((e) => e.error)?.error;
          if (failed) reject(new Error(`image ${name}: build failed: ${failed}\n${tail.join('')}`.trimEnd()));
          else resolve();
        },
        (event: { stream?: string; status?: string; error?: string }) => {
          const text = event.stream ?? event.status;
          if (!text) return;
          tail.push(text);
          if (tail.length > 30) tail.shift();
          if (/^Step \d+\/\d+ :/.test(text)) onProgress(name, text.trim().slice(0, 160));
        },
      );
    });
  }

  /** Every offered image with its current tag and whether it is built. */
  async list(): Promise<ImageSummary[]> {
    const out: ImageSummary[] = [];
    for (const recipe of this.recipes()) {
      const summary: ImageSummary = { name: recipe.name, description: recipe.description, built: false };
      try {
        const image = await this.resolve(recipe.name);
        summary.tag = image.tag;
        try {
          const info = await this.docker.getImage(image.tag).inspect();
          summary.built = true;
          summary.sizeBytes = info.Size;
        } catch (err) {
          if (statusCode(err) !== 404) throw err;
        }
      } catch (err) {
        summary.problem = errorMessage(err);
      }
      out.push(summary);
    }
    return out;
  }
}

export function defaultImageCacheDir(stateHome: string): string {
  return path.join(stateHome || os.tmpdir(), 'images');
}
