// The layer every microvm image gets on top of its recipe chain: the guest kernel's
// modules (with their index), kmod and a static busybox (for the initrd), and the VM
// init. Written as an ordinary recipe, so the chroot runner and the content hash treat
// it like any other layer.
import type { Recipe } from '../recipe';
import { VM_INIT, VM_INIT_PATH } from './guest-scripts';
import type { GuestKernel } from './kernel';

export function vmLayerRecipe(kernel: GuestKernel): Recipe {
  return {
    name: 'vm',
    description: `microvm boot layer (kernel ${kernel.version})`,
    internal: true,
    packages: ['kmod', 'busybox-static'],
    files: [
      { path: VM_INIT_PATH, content: VM_INIT, mode: 0o755 },
      { path: '/etc/fstab', content: '# root is mounted by the Sandlot initrd\n' },
    ],
    inputs: [
      {
        name: 'kernel-modules',
        dest: `/lib/modules/${kernel.version}`,
        resolve: async () => ({ path: kernel.modulesDir, digest: kernel.digest, source: kernel.deb }),
      },
    ],
    // The VM init logs the image's init there before that init could make it.
    script: [`depmod -a ${kernel.version}`, 'echo localhost >/etc/hostname', 'mkdir -p /var/log/sandlot'].join('\n'),
  };
}
