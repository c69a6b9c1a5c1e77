// The docker side of `sandlot images prune`: the engine's images and containers, the tags
// the current recipes make, and the removals. Like `images list|build` it talks to the
// engine directly: images are the engine's, and every container (a playground's or any
// other, running or stopped) is visible there, so no agent state is needed.
import type Docker from 'dockerode';
import { z } from 'zod';
import { errorMessage } from '../../util/errors';
import type { DockerImageBuilder } from '../docker-builder';
import { planDockerPrune, type Current, type EngineImage, type PrunePlan, type PruneItem } from './plan';

export interface DockerPrune {
  plan: PrunePlan;
  /** Bytes each image holds on its own (its size minus its parent's), by id. */
  ownBytes: Map<string, number>;
}

export async function planDockerImages(
  docker: Docker,
  builder: DockerImageBuilder,
  opts: { names?: string[]; progress?: (m: string) => void } = {},
): Promise<DockerPrune> {
  const progress = opts.progress ?? (() => {});
  progress("computing the current tags (hashes the recipes' inputs)");
  const current = new Map<string, Current>();
  for (const recipe of builder.recipes()) {
    try {
      current.set(recipe.name, { tag: (await builder.resolve(recipe.name)).tag });
    } catch (err) {
      current.set(recipe.name, { problem: errorMessage(err).split('\n')[0] });
    }
  }
  progress("listing the engine's images and containers");
  const [rawImages, rawContainers] = await Promise.all([docker.listImages({ all: true }), docker.listContainers({ all: true })]);
  const images: EngineImage[] = rawImages.map((i) => ({
    id: i.Id,
    parentId: i.ParentId || undefined,
    repoTags: i.RepoTags ?? [],
    labels: i.Labels ?? {},
    size: i.Size,
  }));
  const containers = rawContainers.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''), imageId: c.ImageID, state: c.State }));
  const sizes = new Map(images.map((i) => [i.id, i.size]));
  const ownBytes = new Map(images.map((i) => [i.id, Math.max(0, i.size - (i.parentId ? (sizes.get(i.parentId) ?? 0) : 0))]));
  return { plan: planDockerPrune({ images, containers, current, names: opts.names }), ownBytes };
}

/** The engine's answer to an image removal (dockerode types it as any). */
const EngineRemoval = z.array(z.object({ Deleted: z.string().optional(), Untagged: z.string().optional() }));

/** Removes a planned tag or dangling image; the bytes the engine really freed. */
export async function removeDockerItem(docker: Docker, prune: DockerPrune, item: PruneItem): Promise<number> {
  // No force: should a container have appeared since the plan, the engine refuses.
  const result = EngineRemoval.safeParse(await docker.getImage(item.name).remove());
  // The image is gone either way; an answer of another shape only leaves the freed bytes unknown.
  if (!result.success) return 0;
  return result.data.reduce((sum, r) => sum + (r.Deleted ? (prune.ownBytes.get(r.Deleted) ?? 0) : 0), 0);
}
