// The bearer token every API call and WebSocket upgrade must carry. Made on the agent's
// first start, kept in the state dir with mode 0600.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { writeFileAtomicModeSync } from '../util/files';

export function ensureToken(file: string): string {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing) {
      // Tighten a token file someone loosened: it is a secret.
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch {
    // first start
  }
  const token = randomBytes(32).toString('base64url');
  writeFileAtomicModeSync(file, `${token}\n`, 0o600);
  return token;
}

export function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
