// The built-in image recipes. `debian` is the bare bootstrap; `linux` is what every
// machine image builds on (users, sshd, the Sandlot init); the rest add one thing each.
import { resolveK3sBinary, resolveZigToolchain } from './inputs';
import { SANDLOT_INIT, SSHD_CONFIG } from './machine-scripts';
import type { Recipe, RecipeCatalog } from './recipe';

/** Registry host name every playground machine resolves to its own registry. */
export const REGISTRY_HOST = 'registry.sandlot.local';

/** Every name of the playground registry: content written for iximiuz Labs pushes to its own. */
export const REGISTRY_HOSTS = [REGISTRY_HOST, 'registry.iximiuz.com'] as const;

const debian: Recipe = {
  name: 'debian',
  description: 'Debian 12 (bookworm) minbase rootfs with the packages every machine needs.',
  internal: true,
  bootstrap: {
    suite: 'bookworm',
    include: [
      'openssh-server',
      'sudo',
      'tini',
      'ca-certificates',
      'curl',
      'iproute2',
      'iputils-ping',
      'netcat-openbsd',
      'procps',
      'less',
      'vim-tiny',
      'nano',
      'git',
      'bash-completion',
      // What lab content reaches for first (python3 -m http.server, a quick script).
      'python3',
    ],
  },
};

const linux: Recipe = {
  name: 'linux',
  description: 'Debian 12 with the usual tools, root and a sudo user "laborant", sshd.',
  parent: 'debian',
  files: [
    { path: '/usr/local/sbin/sandlot-init', content: SANDLOT_INIT, mode: 0o755 },
    { path: '/etc/ssh/sshd_config.d/sandlot.conf', content: SSHD_CONFIG },
    { path: '/etc/sudoers.d/laborant', content: 'laborant ALL=(ALL) NOPASSWD:ALL\n', mode: 0o440 },
    { path: '/etc/sandlot/services.d/.keep', content: '' },
  ],
  script: [
    'useradd --create-home --uid 1000 --user-group --shell /bin/bash --groups sudo laborant',
    // "*" (not "!"): no password login, but the account is not locked for key logins.
    "usermod -p '*' laborant && usermod -p '*' root",
    // Every machine gets its own host key at create time; never ship one in the image.
    'rm -f /etc/ssh/ssh_host_*',
    'ln -sf vim.tiny /usr/bin/vim',
    // No pam_motd: its dynamic line runs `run-parts /etc/update-motd.d` (a `uname` line) at
    // every SSH login, commands too — three process starts, ~30 ms in a guest under software
    // emulation — and it shows /etc/motd once per login, where sshd's PrintMotd (sandlot.conf)
    // shows it on every terminal session.
    "sed -i 's|^session.*pam_motd\\.so.*|# Sandlot: motd by sshd, &|' /etc/pam.d/sshd",
    'test "$(grep -c \'^# Sandlot: motd by sshd\' /etc/pam.d/sshd)" = 2',
  ].join('\n'),
  // -g: SIGTERM from a stop goes to every process of the init's group (services too).
  entrypoint: ['/usr/bin/tini', '-g', '--', '/usr/local/sbin/sandlot-init'],
};

const docker: Recipe = {
  name: 'docker',
  description: 'linux + a Docker engine inside the machine; `docker` works for laborant.',
  parent: 'linux',
  packages: ['docker.io', 'iptables', 'busybox-static', 'pigz', 'xz-utils'],
  files: [
    {
      path: '/etc/docker/daemon.json',
      // The playground registry speaks plain HTTP on port 80 inside the playground network.
      content: JSON.stringify({ 'insecure-registries': [...REGISTRY_HOSTS], 'storage-driver': 'overlay2' }, null, 2) + '\n',
    },
    { path: '/etc/sandlot/services.d/dockerd', content: '#!/bin/sh\nexec /usr/sbin/dockerd\n', mode: 0o755 },
  ],
  script: 'usermod -aG docker laborant',
  machine: { privileged: true, volumes: ['/var/lib/docker'] },
};

const zig: Recipe = {
  name: 'zig',
  description: 'linux + a Zig toolchain, ready for `zig build` and `zig run`.',
  parent: 'linux',
  inputs: [{ name: 'zig', dest: '/usr/local/lib/zig', resolve: resolveZigToolchain }],
  script: 'ln -sf /usr/local/lib/zig/zig /usr/local/bin/zig\n/usr/local/bin/zig version',
};

const K3S_SERVICE = `#!/bin/sh
# Role comes from /etc/sandlot/k3s.env, written by the template:
#   K3S_ROLE=server|agent  K3S_TOKEN=<shared secret>  K3S_URL=https://<server>:6443 (agents)
if [ ! -r /etc/sandlot/k3s.env ]; then echo "k3s: no /etc/sandlot/k3s.env, not starting"; exit 0; fi
. /etc/sandlot/k3s.env
export K3S_TOKEN K3S_URL
case "$K3S_ROLE" in
  server) exec /usr/local/bin/k3s server --write-kubeconfig-mode 0644 ;;
  agent) exec /usr/local/bin/k3s agent ;;
  *) echo "k3s: K3S_ROLE must be server or agent, got '$K3S_ROLE'"; exit 1 ;;
esac
`;

const k3s: Recipe = {
  name: 'k3s',
  description: 'linux + k3s (server or agent by machine); kubectl on the server. Needs a k3s binary at build time.',
  parent: 'linux',
  packages: ['iptables', 'conntrack'],
  inputs: [{ name: 'k3s', dest: '/usr/local/bin/k3s', resolve: resolveK3sBinary }],
  files: [
    { path: '/etc/sandlot/services.d/k3s', content: K3S_SERVICE, mode: 0o755 },
    { path: '/etc/profile.d/kubeconfig.sh', content: 'export KUBECONFIG=/etc/rancher/k3s/k3s.yaml\n' },
  ],
  script: 'chmod 0755 /usr/local/bin/k3s\nfor t in kubectl crictl ctr; do ln -sf k3s /usr/local/bin/$t; done',
  machine: { privileged: true, volumes: ['/var/lib/rancher'] },
};

/** Where a playground registry keeps what is pushed to it (docker snapshots copy it). */
export const REGISTRY_STORAGE = '/var/lib/docker-registry';

const REGISTRY_CONFIG = `# Our own config: Debian's default turns on htpasswd auth with a directory as its file.
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${REGISTRY_STORAGE}
  delete:
    enabled: true
http:
  addr: :80
`;

const REGISTRY_START = `#!/bin/sh
# Per-playground registry: plain HTTP on port 80; optional basic auth from SANDLOT_REGISTRY_AUTH=user:pass.
set -eu
cfg=/etc/sandlot/registry.yml
if [ -n "\${SANDLOT_REGISTRY_AUTH:-}" ]; then
  user=\${SANDLOT_REGISTRY_AUTH%%:*}
  pass=\${SANDLOT_REGISTRY_AUTH#*:}
  htpasswd -Bbn "$user" "$pass" >/etc/sandlot/registry.htpasswd
  cp /etc/sandlot/registry.yml /run/registry.yml
  printf 'auth:\\n  htpasswd:\\n    realm: sandlot\\n    path: /etc/sandlot/registry.htpasswd\\n' >>/run/registry.yml
  cfg=/run/registry.yml
fi
exec /usr/bin/docker-registry serve "$cfg"
`;

const registry: Recipe = {
  name: 'registry',
  description: "A playground's own container registry (Debian's docker-registry).",
  internal: true,
  parent: 'linux',
  packages: ['docker-registry', 'apache2-utils'],
  files: [
    { path: '/usr/local/sbin/sandlot-registry', content: REGISTRY_START, mode: 0o755 },
    { path: '/etc/sandlot/registry.yml', content: REGISTRY_CONFIG },
  ],
  entrypoint: ['/usr/bin/tini', '--', '/usr/local/sbin/sandlot-registry'],
};

export const BUILTIN_RECIPES: RecipeCatalog = new Map([debian, linux, docker, zig, k3s, registry].map((r) => [r.name, r]));
