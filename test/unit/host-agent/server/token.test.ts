import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureToken, tokenMatches } from '../../../../host-agent/server/token';

describe('agent token', () => {
  it('is created once with mode 0600 and reused', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tok-')), 'token');
    const t = ensureToken(file);
    expect(t.length).toBeGreaterThanOrEqual(40);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.chmodSync(file, 0o644);
    expect(ensureToken(file)).toBe(t);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('matches only an exact bearer header', () => {
    expect(tokenMatches('abc', 'Bearer abc')).toBe(true);
    expect(tokenMatches('abc', 'bearer abc')).toBe(true);
    expect(tokenMatches('abc', 'Bearer abcd')).toBe(false);
    expect(tokenMatches('abc', 'abc')).toBe(false);
    expect(tokenMatches('abc', undefined)).toBe(false);
    expect(tokenMatches('abc', 'Basic abc')).toBe(false);
  });
});
