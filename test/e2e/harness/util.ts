import * as fs from 'node:fs';
import * as path from 'node:path';

/** The checkout: the nearest directory above this file (or its bundle) with our package.json. */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && /"name":\s*"sandlot"/.test(fs.readFileSync(pkg, 'utf8'))) return dir;
  }
  throw new Error(`cannot find the Sandlot checkout above ${__dirname}`);
}

/**
 * Polls `check` until it returns true (or a truthy value), at most `timeoutMs`. On a
 * loaded 2-core machine every wait in the suite is a condition like this, never a sleep.
 */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | Promise<T>, intervalMs = 250): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
