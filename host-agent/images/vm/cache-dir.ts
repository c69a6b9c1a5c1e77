// Where the microvm driver keeps images, kernels and snapshots. One function, so the
// driver and `sandlot images prune` can never look in different places.
import * as path from 'node:path';

/** SANDLOT_VM_CACHE, else `<agent home>/images/vm`. */
export function vmCacheDir(home: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.SANDLOT_VM_CACHE ? path.resolve(env.SANDLOT_VM_CACHE) : path.join(home, 'images', 'vm');
}
