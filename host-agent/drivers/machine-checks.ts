// Checks of a playground's machines that the drivers building their own images (docker,
// microvm) make alike, word for word: validate() collects them so that a bad manifest
// fails before anything is built. Each problem is one line naming the manifest field and
// the driver; checks only one driver needs stay in that driver.
import type { Recipe } from '../images/recipe';
import type { MachineSpec } from './protocol';
import { errorMessage } from '../util/errors';

/** What a driver's image builder (DockerImageBuilder, VmImageBuilder) offers for the check. */
export interface RecipeSource {
  /** Throws naming the known images when `name` is not one. */
  recipe(name: string): Recipe;
}

/** The machine's image must be a known recipe that a machine can run, not a building block. */
export function imageProblems(m: MachineSpec, images: RecipeSource, driver: string): string[] {
  try {
    const recipe = images.recipe(m.image || 'linux');
    if (recipe.internal) throw new Error(`"${recipe.name}" is a building block, not a machine image`);
    return [];
  } catch (err) {
    return [`playground.machines[${m.index}].image: ${errorMessage(err)} (${driver} driver)`];
  }
}

/** The machine must not ask for more memory or CPUs than the host has. */
export function hostSizeProblems(m: MachineSpec, host: { memBytes: number; cpus: number }, driver: string): string[] {
  const where = `playground.machines[${m.index}].resources`;
  const problems: string[] = [];
  if (m.resources.ramBytes > host.memBytes) {
    problems.push(
      `${where}.ramSize: ${m.resources.ramSize} is more than this host's memory (${(host.memBytes / 1024 ** 3).toFixed(1)} GiB) (${driver} driver)`,
    );
  }
  if (m.resources.cpuCount > host.cpus) {
    problems.push(`${where}.cpuCount: ${m.resources.cpuCount} is more than this host's ${host.cpus} CPUs (${driver} driver)`);
  }
  return problems;
}
