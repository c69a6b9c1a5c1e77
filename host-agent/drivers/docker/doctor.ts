// What the docker driver needs on this host, checked one by one for `sandlot doctor`.
import type Docker from 'dockerode';
import type { DockerImageBuilder } from '../../images/docker-builder';
import { debootstrapPath } from '../../images/rootfs';
import type { DoctorCheck } from '../protocol';
import { ENGINE_HOW_TO, pingEngine, type EngineAddress } from './engine';
import { errorMessage } from '../../util/errors';

export type DockerDoctorCheck = DoctorCheck & { required: boolean };

export async function doctorChecks(docker: Docker, address: EngineAddress, images: DockerImageBuilder): Promise<DockerDoctorCheck[]> {
  const checks: DockerDoctorCheck[] = [];
  let engineUp = false;
  try {
    await pingEngine(docker, address);
    const v = await docker.version();
    checks.push({ name: 'docker engine', ok: true, detail: `Docker ${v.Version} (API ${v.ApiVersion}) at ${address.display}`, required: true });
    engineUp = true;
  } catch (err) {
    checks.push({ name: 'docker engine', ok: false, detail: errorMessage(err), fix: ENGINE_HOW_TO, required: true });
  }

  const debootstrap = debootstrapPath();
  const root = process.getuid?.() === 0;
  checks.push({
    name: 'image builder',
    ok: Boolean(debootstrap) && root,
    detail: debootstrap ? (root ? `debootstrap at ${debootstrap}` : 'debootstrap needs root to build the base image') : 'debootstrap is not installed',
    fix: debootstrap ? 'run the agent as root to build images (built images are reused afterwards)' : 'apt-get install debootstrap',
    // Without it, images that are already built still work.
    required: false,
  });

  if (engineUp) {
    for (const image of await images.list()) {
      const recipe = images.recipe(image.name);
      if (recipe.internal && image.name !== 'registry') continue;
      checks.push({
        name: `image ${image.name}`,
        ok: !image.problem,
        detail: image.problem
          ? image.problem
          : image.built
            ? `built: ${image.tag} (${((image.sizeBytes ?? 0) / 1024 ** 2).toFixed(0)} MiB)`
            : `not built yet (${image.tag}); the first playground that uses it builds it, or run \`sandlot images build ${image.name}\``,
        fix: image.problem ? image.problem.replace(/^.*?: /, '') : undefined,
        required: image.name === 'linux' || image.name === 'registry' ? !image.problem : false,
      });
    }
  }
  return checks;
}
