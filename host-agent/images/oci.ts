// Root drives from an OCI image (`oci://registry/image:tag`, as iximiuz Labs manifests
// give them). The image is the machine's file system; Sandlot adds only what makes it a
// machine of a playground, the same way for every driver: its init (sandlot-init, run
// under tini), its sshd settings, key logins for root, no host keys of the image's own.
// The image must bring a shell and OpenSSH's server (iximiuz Labs' rootfs images do);
// one that lacks sshd fails its build with a line that says so.
import { SANDLOT_INIT, SSHD_CONFIG } from './machine-scripts';
import type { Recipe } from './recipe';

export const OCI_PREFIX = 'oci://';

/** Where a driver puts a static tini of its own (the image may have none). */
export const OCI_TINI = '/usr/local/sbin/sandlot-tini';

export function isOciSource(source: string): boolean {
  return source.startsWith(OCI_PREFIX);
}

/** `oci://ghcr.io/u/img:tag` → `ghcr.io/u/img:tag` (`:latest` when no tag or digest is given). */
export function ociReference(source: string): string {
  const ref = source.slice(OCI_PREFIX.length);
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  return lastPart.includes(':') || ref.includes('@') ? ref : `${ref}:latest`;
}

/** The registry host of a reference (`127.0.0.1:5000` of `127.0.0.1:5000/x/y:1`). */
export function ociRegistry(ref: string): string {
  return ref.split('/')[0];
}

/** Loopback registries speak plain HTTP, as the Docker engine assumes for them too. */
export function ociRegistryIsLoopback(ref: string): boolean {
  const host = ociRegistry(ref).replace(/:\d+$/, '');
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/** The layer that turns an OCI image into a Sandlot machine (shell only: the image may have no apt). */
export const OCI_MACHINE_LAYER: Recipe = {
  name: 'oci-machine',
  description: 'Sandlot machine layer on top of an OCI image: init, sshd settings, key logins.',
  internal: true,
  files: [
    { path: '/usr/local/sbin/sandlot-init', content: SANDLOT_INIT, mode: 0o755 },
    { path: '/etc/ssh/sshd_config.d/sandlot.conf', content: SSHD_CONFIG },
    { path: '/etc/sandlot/services.d/.keep', content: '' },
  ],
  script: [
    'if [ ! -x /usr/sbin/sshd ]; then echo "this OCI image has no OpenSSH server (/usr/sbin/sshd); a playground machine needs one (install openssh-server in the image)" >&2; exit 1; fi',
    // sshd reads sshd_config.d only when the image's main config includes it (Debian, Ubuntu, Fedora do).
    "grep -qs '^Include /etc/ssh/sshd_config.d/' /etc/ssh/sshd_config || printf 'Include /etc/ssh/sshd_config.d/*.conf\\n' >>/etc/ssh/sshd_config",
    // Every machine gets its own host key at create time; a locked root ("!") refuses even keys.
    'rm -f /etc/ssh/ssh_host_*',
    "if command -v usermod >/dev/null; then usermod -p '*' root; else sed -i 's/^root:[^:]*:/root:*:/' /etc/shadow; fi",
    'mkdir -p /var/log/sandlot /var/lib/sandlot /run/sshd',
  ].join('\n'),
  entrypoint: [OCI_TINI, '-g', '--', '/usr/local/sbin/sandlot-init'],
};
