import { spawnSync } from 'node:child_process';

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils, type ParsedKey } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateEd25519, knownHostsLine } from '../../../../host-agent/keys/keys';

/** One key as ssh2 parses it; a parse error fails the test with ssh2's message. */
function parsed(text: string): ParsedKey {
  const k = utils.parseKey(text);
  if (k instanceof Error) throw k;
  return k;
}

describe('ed25519 keys', () => {
  it('always produce keys ssh2 parses and that sign and verify as a pair', () => {
    // ssh2's own generator fails about once in 200; 2000 keys would show such a bug.
    for (let i = 0; i < 2000; i++) {
      const k = generateEd25519(`c${i}`);
      const p = parsed(k.privateKey);
      const q = parsed(k.publicKey);
      expect(p.getPublicSSH().equals(q.getPublicSSH())).toBe(true);
      if (i < 20) {
        const data = Buffer.from(`msg ${i}`);
        const sig = p.sign(data);
        expect(q.verify(data, sig)).toBe(true);
      }
    }
  });

  it('are read by OpenSSH itself (ssh-keygen -y derives the same public key)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    const k = generateEd25519('sandlot test');
    const file = path.join(dir, 'id');
    fs.writeFileSync(file, k.privateKey, { mode: 0o600 });
    const r = spawnSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split(' ').slice(0, 2).join(' ')).toBe(k.publicKey.split(' ').slice(0, 2).join(' '));
  });

  it('formats known_hosts lines without the comment', () => {
    const k = generateEd25519('with a comment');
    expect(knownHostsLine('sandlot--pg-1--dev', k.publicKey)).toBe(`sandlot--pg-1--dev ${k.publicKey.split(' ').slice(0, 2).join(' ')}`);
  });
});
