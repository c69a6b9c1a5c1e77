import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelDebsIn, resolveGuestKernel, versionedKernelPackage } from '../../../../../host-agent/images/vm/kernel';

describe('guest kernel', () => {
  it('finds the versioned package behind linux-image-cloud-amd64', () => {
    expect(versionedKernelPackage('linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-56-cloud-amd64\n')).toBe('linux-image-6.1.0-56-cloud-amd64');
    expect(versionedKernelPackage('linux-image-cloud-amd64\n')).toBeUndefined();
  });

  it('picks kernel .debs only, newest name last', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-kdebs-'));
    for (const f of [
      'linux-image-6.1.0-9-cloud-amd64_6.1.27-1_amd64.deb',
      'linux-image-6.1.0-56-cloud-amd64_6.1.192-2_amd64.deb',
      'busybox_1.35_amd64.deb',
      'linux-image-6.1.0-56-amd64_6.1.192-2_amd64.deb',
    ]) {
      fs.writeFileSync(path.join(dir, f), '');
    }
    expect(kernelDebsIn(dir).map((p) => path.basename(p))).toEqual([
      'linux-image-6.1.0-56-cloud-amd64_6.1.192-2_amd64.deb',
      'linux-image-6.1.0-9-cloud-amd64_6.1.27-1_amd64.deb',
    ]);
    expect(kernelDebsIn(path.join(dir, 'missing'))).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  it('names SANDLOT_VM_KERNEL_DEB when it points nowhere', async () => {
    await expect(resolveGuestKernel(os.tmpdir(), { SANDLOT_VM_KERNEL_DEB: '/nonexistent/k.deb' })).rejects.toThrow(
      "SANDLOT_VM_KERNEL_DEB: no file at /nonexistent/k.deb; the microvm driver boots Debian's linux-image-cloud-amd64 kernel",
    );
  });
});
