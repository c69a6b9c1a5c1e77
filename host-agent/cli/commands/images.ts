// `sandlot images list|build`: the docker driver's machine images. Runs on the host that
// owns the engine (like the agent), talking to the engine directly: images are the
// engine's, not a playground's, and a build's progress goes straight to the terminal.
import * as path from 'node:path';
import type { Command } from 'commander';
import Docker from 'dockerode';
import { engineAddress, pingEngine } from '../../drivers/docker/engine';
import { DockerImageBuilder } from '../../images/docker-builder';
import { sandlotHome } from '../../util/paths';
import { errorMessage } from '../../util/errors';
import { SandboxRootfsBuilder } from '../../images/sandbox-rootfs';
import { vmCacheDir } from '../../images/vm/cache-dir';
import { CliError, printJson, table } from '../context';
import { registerPrune } from './images-prune';

function builder(k3s: { k3sBinary?: string; k3sUrl?: string; k3sSha256?: string } = {}) {
  const address = engineAddress(process.env.DOCKER_HOST);
  const docker = new Docker(address.options);
  return { address, docker, images: new DockerImageBuilder(docker, { cacheDir: path.join(sandlotHome(), 'images'), inputs: k3s }) };
}

function mib(bytes?: number): string {
  return bytes === undefined ? '' : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** The recipe of a name the user typed, or a one-line error listing the images there are. */
function machineImage(images: DockerImageBuilder, name: string) {
  let recipe;
  try {
    recipe = images.recipe(name);
  } catch (err) {
    throw new CliError(`images: ${errorMessage(err)}`);
  }
  if (recipe.internal) throw new CliError(`images: "${name}" is a building block, not a machine image`);
  return recipe;
}

/** Sandbox image roots: the rootfs directories the agent mounts for machines that name an image. */
async function buildSandboxRootfs(names: string[]): Promise<void> {
  const rootfs = new SandboxRootfsBuilder({ cacheDir: vmCacheDir(sandlotHome()) });
  for (const name of names) {
    try {
      rootfs.check(name);
    } catch (err) {
      throw new CliError(`images build: ${errorMessage(err)}`);
    }
  }
  for (const name of names) {
    const started = Date.now();
    try {
      const built = await rootfs.ensure(name, (message) => process.stderr.write(`[${name}] ${message}\n`));
      process.stdout.write(`${name}: ${built.rootfs} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    } catch (err) {
      throw new CliError(`images build ${name} --driver sandbox: ${errorMessage(err)}`);
    }
  }
}

export function register(program: Command): void {
  const cmd = program.command('images').description('machine images of the docker driver, built locally from Debian packages');

  cmd
    .command('list')
    .description('every image, its tag for the current recipe, and whether it is built')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { address, docker, images } = builder();
      await pingEngine(docker, address);
      const list = (await images.list()).filter((i) => !images.recipe(i.name).internal);
      if (opts.json) return printJson(list);
      const rows = list.map((i) => [i.name, i.tag ?? '-', i.problem ? `cannot build: ${i.problem}` : i.built ? `built, ${mib(i.sizeBytes)}` : 'not built']);
      process.stdout.write(table([['IMAGE', 'TAG', 'STATE'], ...rows]) + '\n');
    });

  cmd
    .command('build')
    .description('build images (default: linux) and what they build on; unchanged recipes are reused')
    .argument('[names...]', 'image names: linux, docker, zig, k3s')
    .option('--driver <driver>', 'docker (engine images, the default) or sandbox (root directories for image-root machines)', 'docker')
    .option('--force', 'rebuild the named images even if their tag exists')
    .option('--k3s-binary <path>', 'k3s binary (linux/amd64) for the k3s image')
    .option('--k3s-url <url>', 'download the k3s binary from here (needs --k3s-sha256)')
    .option('--k3s-sha256 <hex>', 'sha256 of the k3s download')
    .action(async (names: string[], opts: { driver: string; force?: boolean; k3sBinary?: string; k3sUrl?: string; k3sSha256?: string }) => {
      if (opts.driver === 'sandbox') return buildSandboxRootfs(names.length ? names : ['linux']);
      if (opts.driver !== 'docker') throw new CliError(`images build: --driver: expected docker or sandbox, got "${opts.driver}"`);
      const { address, docker, images } = builder({ k3sBinary: opts.k3sBinary, k3sUrl: opts.k3sUrl, k3sSha256: opts.k3sSha256 });
      const wanted = names.length ? names : ['linux'];
      for (const name of wanted) machineImage(images, name);
      await pingEngine(docker, address);
      for (const name of wanted) {
        const started = Date.now();
        const progress = (image: string, message: string) => process.stderr.write(`[${image}] ${message}\n`);
        let tag: string;
        try {
          tag = opts.force ? await images.rebuild(name, progress) : await images.ensure(name, progress);
        } catch (err) {
          throw new CliError(`images build ${name}: ${errorMessage(err)}`);
        }
        process.stdout.write(`${name}: ${tag} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      }
    });

  registerPrune(cmd);
}
