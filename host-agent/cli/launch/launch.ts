// What dist/sandlot.js and dist/sandlot-ssh-proxy.js do: turn on the compile cache, then
// load the entry beside them. The launchers are CommonJS because the package is (and
// every caller runs those paths); the full CLI is ESM because only ESM can be split into
// chunks that load on demand (one per command group); the lean entries (sandlot-lean.js,
// sandlot-ssh-proxy-lean.js) are single CommonJS files, loaded without the ESM loader.
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

/** Runs a lean CommonJS entry beside the launcher (it runs on load); one line on stderr when it is missing. */
export function requireBeside(entry: string): void {
  enableCompileCache();
  const file = path.join(__dirname, entry);
  try {
    // A path esbuild does not follow: the entry stays a file of its own, loaded only here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS launcher: require loads a cjs bundle synchronously
    require(file);
  } catch (err) {
    process.stderr.write(`sandlot: cannot load ${file} (${errorMessage(err)}); run npm run build\n`);
    process.exitCode = 1;
  }
}
