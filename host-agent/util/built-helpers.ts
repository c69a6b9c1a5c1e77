// The agent's C helpers: `npm run build` compiles them into dist/ where a C compiler exists
// (esbuild.mjs says what each one is for and what happens without it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

export type HelperName = 'sandlot-enter' | 'sandlot-image-mounts' | 'sandlot-init' | 'sandlot-relay';

const helpers = new Map<HelperName, string | undefined>();

/** dist/<name>, or undefined when it was not built. */
export function builtHelper(name: HelperName): string | undefined {
  if (!helpers.has(name)) {
    const p = path.join(repoRoot(), 'dist', name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      helpers.set(name, p);
    } catch {
      helpers.set(name, undefined);
    }
  }
  return helpers.get(name);
}
