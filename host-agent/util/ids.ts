import { randomBytes } from 'node:crypto';

// Lowercase letters and digits only: ids appear in DNS-like host aliases
// (`sandlot--pg-7f3k2a--dev`) and in sandlot:// URI authorities.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

function randomId(prefix: string): string {
  const bytes = randomBytes(6);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return `${prefix}-${id}`;
}

export function newPlaygroundId(): string {
  return randomId('pg');
}

export function newSnapshotId(): string {
  return randomId('sn');
}

export const PLAYGROUND_ID = /^pg-[a-z0-9]{4,16}$/;
export const SNAPSHOT_ID = /^sn-[a-z0-9]{4,16}$/;
