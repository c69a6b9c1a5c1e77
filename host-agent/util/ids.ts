import { randomBytes } from 'node:crypto';

// Lowercase letters and digits only: ids appear in DNS-like host aliases
// (`sandlot--pg-7f3k2a--dev`) and in sandlot:// URI authorities.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function newPlaygroundId(): string {
  const bytes = randomBytes(6);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return `pg-${id}`;
}

export const PLAYGROUND_ID = /^pg-[a-z0-9]{4,16}$/;
