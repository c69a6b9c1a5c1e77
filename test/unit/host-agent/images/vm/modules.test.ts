import { describe, expect, it } from 'vitest';
import { loadOrder, moduleName, parseBuiltin, parseModulesDep } from '../../../../../host-agent/images/vm/modules';

// Lines as Debian's depmod writes them for the cloud kernel.
const DEP = `kernel/drivers/virtio/virtio.ko:
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/a.ko: kernel/b.ko
kernel/b.ko: kernel/a.ko
`;

describe('kernel module load order', () => {
  it('normalises names like the kernel does', () => {
    expect(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko')).toBe('virtio_rng');
    expect(moduleName('x/y.ko.xz')).toBe('y');
  });

  it('loads dependencies first and each module once', () => {
    const order = loadOrder(parseModulesDep(DEP), ['virtio_mmio', 'virtio_blk', 'virtio-rng']);
    expect(order).toEqual([
      'kernel/drivers/virtio/virtio_ring.ko',
      'kernel/drivers/virtio/virtio.ko',
      'kernel/drivers/virtio/virtio_mmio.ko',
      'kernel/drivers/block/virtio_blk.ko',
      'kernel/drivers/char/hw_random/virtio-rng.ko',
    ]);
  });

  it('skips built-in modules and names a module the kernel does not have', () => {
    const dep = parseModulesDep(DEP);
    expect(loadOrder(dep, ['ext4'], parseBuiltin('kernel/fs/ext4/ext4.ko\n'))).toEqual([]);
    expect(() => loadOrder(dep, ['nosuch'])).toThrow('kernel module "nosuch" is not in modules.dep: expected a module of this kernel');
    expect(() => loadOrder(dep, ['a'])).toThrow('kernel modules depend on each other in a loop at "a"');
  });
});
