// What dist/sandlot.js and dist/sandlot-ssh-proxy.js do: turn on the compile cache, then
// load their ES module entry beside them. The launchers are CommonJS because the package
// is (and every caller runs those paths); the CLI itself is ESM because only ESM can be
// split into chunks that load on demand (one per command group).
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../../util/errors';
import { enableCompileCache } from './compile-cache';

export function launch(entry: string): void {
  enableCompileCache();
  const url = pathToFileURL(path.join(__dirname, entry)).href;
  import(url).catch((err: unknown) => {
    process.stderr.write(`sandlot: cannot load ${url} (${errorMessage(err)}); run npm run build\n`);
    process.exitCode = 1;
  });
}
