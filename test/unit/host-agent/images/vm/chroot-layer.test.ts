import { describe, expect, it } from 'vitest';
import { insideRoot } from '../../../../../host-agent/images/vm/chroot-layer';

describe('insideRoot', () => {
  it('maps image paths under the rootfs, never above it', () => {
    expect(insideRoot('/r/rootfs', '/etc/hosts')).toBe('/r/rootfs/etc/hosts');
    expect(insideRoot('/r/rootfs', 'usr/../etc/x')).toBe('/r/rootfs/etc/x');
    // Normalised as an absolute image path first: ".." stops at the image's /.
    expect(insideRoot('/r/rootfs', '/../../etc/passwd')).toBe('/r/rootfs/etc/passwd');
  });
});
