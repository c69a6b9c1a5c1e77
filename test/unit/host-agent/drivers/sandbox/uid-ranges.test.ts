import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimSlot, ensureClaim, releaseSlot } from '../../../../../host-agent/drivers/sandbox/uid-ranges';

describe('uid ranges claimed host-wide', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'uid-ranges-'));
  const claims = path.join(base, 'claims');
  const pg = (name: string) => {
    const d = path.join(base, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };

  it('hands two playgrounds (of two agents) different ranges, the same one again to the same playground', () => {
    const a = pg('agent-a/pg-1');
    const b = pg('agent-b/pg-1');
    expect(claimSlot(a, claims)).toBe(0);
    expect(claimSlot(b, claims)).toBe(1);
    expect(claimSlot(a, claims)).toBe(0);
  });

  it('takes over a claim whose playground is gone, never one that still exists', () => {
    const gone = pg('agent-a/pg-gone');
    const slot = claimSlot(gone, claims);
    fs.rmSync(gone, { recursive: true });
    expect(claimSlot(pg('agent-c/pg-2'), claims)).toBe(slot);
    expect(ensureClaim(slot, pg('agent-d/pg-old'), claims)).toBe(path.join(base, 'agent-c/pg-2'));
  });

  it('gives a slot back only for its own playground', () => {
    const c = pg('agent-e/pg-3');
    const slot = claimSlot(c, claims);
    releaseSlot(slot, pg('someone-else'), claims);
    expect(fs.existsSync(path.join(claims, String(slot)))).toBe(true);
    releaseSlot(slot, c, claims);
    expect(fs.existsSync(path.join(claims, String(slot)))).toBe(false);
  });
});
