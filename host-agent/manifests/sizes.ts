// Byte sizes as manifests write them. iximiuz Labs documents `512MiB`/`2GiB`; Sandlot's
// own templates (and Kubernetes habits) write `512Mi`/`2Gi`; both mean powers of 1024.
// `512M`/`2G`/`2GB` are decimal, as in Kubernetes.

const UNITS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** What a size field accepts, for the schema (and the JSON Schema editors see). */
export const SIZE_PATTERN = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|KiB|MiB|GiB|TiB|K|M|G|T|KB|MB|GB|TB)?$/;

/** Bytes in a size string (`512MiB`, `2Gi`, `1G`); throws on anything else. */
export function parseSize(size: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$/.exec(size);
  const unit = m ? UNITS[m[2]] : undefined;
  if (!m || unit === undefined) throw new Error(`expected a size like "512MiB", "2GiB", "512Mi" or "2Gi", got ${JSON.stringify(size)}`);
  return Math.round(Number(m[1]) * unit);
}

/** `2GiB` for 2·1024³; sizes that are not whole MiB are written in bytes. */
export function formatSize(bytes: number): string {
  for (const [unit, n] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
  ] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return String(bytes);
}
