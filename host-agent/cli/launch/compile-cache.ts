// Node's on-disk compile cache (module.enableCompileCache, Node ≥ 22.1): later starts
// skip compiling the CLI's chunks. The Node the agent runs on here (20) has no such
// function, so it is looked up, not required.
import * as nodeModule from 'node:module';

/** Turns the cache on for every module loaded after this call; true when this Node has one. */
export function enableCompileCache(): boolean {
  const enable: unknown = Reflect.get(nodeModule, 'enableCompileCache');
  if (typeof enable !== 'function') return false;
  try {
    enable.call(nodeModule);
    return true;
  } catch {
    // A cache directory that cannot be written: start without the cache.
    return false;
  }
}
