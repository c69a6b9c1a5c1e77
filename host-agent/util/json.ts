// Reading JSON that Sandlot itself wrote (state records, its own config files). Data
// crossing a trust boundary (API bodies, manifests, content) is parsed with a zod schema
// instead; these files were written by this code, so their shape is asserted in this one
// place rather than with a cast at every reader.
import * as fs from 'node:fs';

/** Parses JSON text this program wrote earlier, as the type it wrote. */
export function parseOwnJson<T>(text: string): T {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- our own file, see above
  return JSON.parse(text) as T;
}

export function readOwnJson<T>(file: string): T {
  return parseOwnJson<T>(fs.readFileSync(file, 'utf8'));
}
