// Which unprivileged uid range a root agent's playground runs in. Ranges must be unique on
// the host, not only within one agent: two root agents (two state directories) handing out
// the same range would let one's machines own the other's files. Each range is claimed by
// a file in a root-owned directory, created exclusively and naming its playground; a claim
// whose playground directory is gone is stale and may be taken over.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const UID_RANGE_CLAIMS = '/var/lib/sandlot/uid-ranges';
/** Ranges of 65536 ids above 0x100000 that still fit in a 32-bit uid. */
export const MAX_SLOTS = 65000;

interface Claim {
  playgroundDir: string;
}

function readClaim(file: string): Claim | undefined {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof value === 'object' && value !== null && 'playgroundDir' in value && typeof value.playgroundDir === 'string')
      return { playgroundDir: value.playgroundDir };
  } catch {
    // unreadable or half-written: treated as held (never steal what we cannot read)
  }
  return undefined;
}

/** Claims the lowest free slot for the playground in `playgroundDir`; the same one again if it already holds one. */
export function claimSlot(playgroundDir: string, dir = UID_RANGE_CLAIMS): number {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const body = JSON.stringify({ playgroundDir } satisfies Claim);
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const file = path.join(dir, String(slot));
    try {
      fs.writeFileSync(file, body, { flag: 'wx', mode: 0o600 });
      return slot;
    } catch {
      const claim = readClaim(file);
      if (claim?.playgroundDir === playgroundDir) return slot;
      if (!claim || fs.existsSync(claim.playgroundDir)) continue;
      // Stale: replace atomically, then check nobody else replaced it at the same moment.
      const tmp = `${file}.${process.pid}`;
      fs.writeFileSync(tmp, body, { mode: 0o600 });
      fs.renameSync(tmp, file);
      if (readClaim(file)?.playgroundDir === playgroundDir) return slot;
    }
  }
  throw new Error(`no free uid range: ${MAX_SLOTS} playgrounds on this host already hold one`);
}

/** Gives the slot back (destroy), only if this playground holds it. */
export function releaseSlot(slot: number, playgroundDir: string, dir = UID_RANGE_CLAIMS): void {
  const file = path.join(dir, String(slot));
  if (readClaim(file)?.playgroundDir === playgroundDir) fs.rmSync(file, { force: true });
}

/**
 * Records that a playground made before claims existed holds `slot`. Returns the other
 * playground's directory when a live claim of someone else is in the way.
 */
export function ensureClaim(slot: number, playgroundDir: string, dir = UID_RANGE_CLAIMS): string | undefined {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, String(slot));
  const claim = readClaim(file);
  if (claim?.playgroundDir === playgroundDir) return undefined;
  if (claim && fs.existsSync(claim.playgroundDir)) return claim.playgroundDir;
  fs.writeFileSync(file, JSON.stringify({ playgroundDir } satisfies Claim), { mode: 0o600 });
  return undefined;
}
