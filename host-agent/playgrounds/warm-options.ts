// `sandlot agent --warm docker=1,linux=2 --warm-memory 2GiB` (or SANDLOT_WARM /
// SANDLOT_WARM_MEMORY): which templates the agent keeps warm playgrounds of, how many,
// and the memory all of them may hold together.
import { parseSize } from '../manifests/sizes';

/** What the pool may hold when no budget is given: two 2 GiB machines (the docker template's size). */
export const DEFAULT_WARM_MEMORY = '4GiB';

/** `template=count` pairs, comma-separated (repeated `--warm` options are joined with commas first). */
export function parseWarmCounts(text: string, what = '--warm'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(\d+)$/.exec(part);
    if (!m) throw new Error(`${what}: expected template=count (e.g. docker=1), got ${JSON.stringify(part)}`);
    const count = Number(m[2]);
    if (count > 16) throw new Error(`${what}: ${m[1]}=${count}: at most 16 warm playgrounds per template`);
    out[m[1]] = count;
  }
  return out;
}

export function parseWarmMemory(text: string, what = '--warm-memory'): number {
  try {
    return parseSize(text.trim());
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
