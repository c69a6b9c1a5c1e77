import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../../../host-agent/util/sha256-file';

describe('sha256File', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-sha256-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hashes a file bigger than one stream chunk the same as hashing it whole', async () => {
    // 64 KiB is the read stream's chunk size: 200 KiB crosses several chunks.
    const data = Buffer.alloc(200 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 251;
    const file = path.join(dir, 'data.bin');
    fs.writeFileSync(file, data);
    expect(await sha256File(file)).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('knows the empty file and rejects a missing one', async () => {
    const empty = path.join(dir, 'empty');
    fs.writeFileSync(empty, '');
    expect(await sha256File(empty)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    await expect(sha256File(path.join(dir, 'nosuch'))).rejects.toThrow(/ENOENT/);
  });
});
