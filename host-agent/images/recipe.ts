// What an image is made of, independent of how it is packaged. A recipe is either a
// bootstrap (a Debian rootfs made by debootstrap) or a layer on top of a parent recipe
// (packages, files, a shell script, external inputs). The docker driver turns a chain of
// recipes into engine images; a VM driver can run the same layer scripts in a chroot
// over the bootstrap's rootfs directory. Nothing here talks to an engine.
import { createHash } from 'node:crypto';

export interface RecipeFile {
  /** Absolute path inside the machine. */
  path: string;
  content: string;
  /** Unix permission bits; default 0o644. */
  mode?: number;
}

export interface BootstrapSpec {
  suite: string;
  /** Packages debootstrap installs on top of its minbase variant. */
  include: string[];
}

/** An input resolved to a local file or directory plus a digest of its content. */
export interface ResolvedInput {
  path: string;
  digest: string;
  /** Where it came from, for progress messages. */
  source: string;
}

export interface RecipeInput {
  name: string;
  /** Absolute path inside the machine the input is copied to. */
  dest: string;
  resolve(options: InputOptions): Promise<ResolvedInput>;
}

/** Build-time settings for inputs the host has to provide (k3s binary, Zig toolchain). */
export interface InputOptions {
  env: NodeJS.ProcessEnv;
  /** Scratch directory for downloads. */
  cacheDir: string;
  k3sBinary?: string;
  k3sUrl?: string;
  k3sSha256?: string;
}

/** How machines of this image must be run (read by drivers, not by the builder). */
export interface MachineNeeds {
  /** Runs an engine or kubelet inside: needs every capability, device access and rw cgroups. */
  privileged?: boolean;
  /** Paths that need a real filesystem (not the container's overlay), e.g. /var/lib/docker. */
  volumes?: string[];
}

export interface Recipe {
  name: string;
  description: string;
  /** Not offered as a machine image (building blocks such as the bare Debian rootfs). */
  internal?: boolean;
  bootstrap?: BootstrapSpec;
  parent?: string;
  /** apt packages the layer installs. */
  packages?: string[];
  files?: RecipeFile[];
  /** POSIX shell, run as root after packages and files are in place. */
  script?: string;
  inputs?: RecipeInput[];
  machine?: MachineNeeds;
  /** Command the machine runs as PID 1 (inherited by children when unset). */
  entrypoint?: string[];
}

export type RecipeCatalog = ReadonlyMap<string, Recipe>;

/** The recipe and its ancestors, root first. */
export function recipeChain(catalog: RecipeCatalog, name: string): Recipe[] {
  const chain: Recipe[] = [];
  const seen = new Set<string>();
  let current: string | undefined = name;
  while (current !== undefined) {
    const recipe = catalog.get(current);
    if (!recipe) {
      const known = [...catalog.values()].filter((r) => !r.internal).map((r) => r.name);
      const from = chain.length ? ` (parent of "${chain[0].name}")` : '';
      throw new Error(`unknown image "${current}"${from}: expected one of ${known.join(', ')}`);
    }
    if (seen.has(current)) throw new Error(`image "${name}": recipe parents form a loop at "${current}"`);
    seen.add(current);
    chain.unshift(recipe);
    if (!recipe.parent && !recipe.bootstrap) throw new Error(`image "${recipe.name}": a recipe needs a parent or a bootstrap`);
    current = recipe.parent;
  }
  return chain;
}

/** Machine needs of an image: a child inherits its parent's and may add to them. */
export function machineNeeds(catalog: RecipeCatalog, name: string): Required<MachineNeeds> {
  const needs = { privileged: false, volumes: [] as string[] };
  for (const r of recipeChain(catalog, name)) {
    if (r.machine?.privileged) needs.privileged = true;
    for (const v of r.machine?.volumes ?? []) if (!needs.volumes.includes(v)) needs.volumes.push(v);
  }
  return needs;
}

/**
 * Content hash of one recipe given its parent's hash and its inputs' digests: a change
 * to anything that ends up in the image (packages, files, script, input content,
 * ancestry) changes it, so a changed recipe gets a new tag and is rebuilt.
 */
export function recipeHash(recipe: Recipe, parentHash: string | undefined, inputDigests: Record<string, string>): string {
  const content = {
    v: 1,
    parent: parentHash ?? null,
    bootstrap: recipe.bootstrap ?? null,
    packages: recipe.packages ?? [],
    files: (recipe.files ?? []).map((f) => [f.path, f.mode ?? 0o644, f.content]),
    script: recipe.script ?? '',
    inputs: (recipe.inputs ?? []).map((i) => [i.name, i.dest, inputDigests[i.name] ?? null]),
    entrypoint: recipe.entrypoint ?? null,
  };
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** `sandlot/<name>:<first 12 hex of the hash>`. */
export function imageTag(name: string, hash: string): string {
  return `sandlot/${name}:${hash.slice(0, 12)}`;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * The layer as one shell script: install packages, then the recipe's script. Files and
 * inputs are copied in before it runs. Same script for a Dockerfile RUN and a chroot.
 */
export function layerScript(recipe: Recipe): string {
  const lines = ['#!/bin/sh', `# layer of image "${recipe.name}"`, 'set -eu', 'export DEBIAN_FRONTEND=noninteractive'];
  const packages = recipe.packages ?? [];
  for (const p of packages) {
    if (!PACKAGE_NAME.test(p)) throw new Error(`image "${recipe.name}": packages: expected a Debian package name, got ${JSON.stringify(p)}`);
  }
  if (packages.length > 0) {
    lines.push(
      'apt-get update -qq',
      `apt-get install -y -qq --no-install-recommends ${packages.join(' ')}`,
      // The lists are 40+ MB and stale within days; machines run apt-get update themselves.
      'apt-get clean && rm -rf /var/lib/apt/lists/*',
    );
  }
  if (recipe.script) lines.push(recipe.script.trimEnd());
  return lines.join('\n') + '\n';
}
