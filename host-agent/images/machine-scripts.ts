// Files every machine image carries: the init that prepares a machine on first boot,
// starts its services and then runs sshd; the sshd settings. Drivers put the per-machine
// parts (host key, authorized keys, first-boot script) under /etc/sandlot before start.

/** Paths the driver writes into a machine before its first start. */
export const MACHINE_PATHS = {
  authorizedKeys: '/etc/sandlot/authorized_keys',
  firstBoot: '/etc/sandlot/first-boot.sh',
  /** Made once the first-boot script succeeded: later boots skip it. */
  firstBootDone: '/var/lib/sandlot/first-boot.done',
  /** Run at every boot before services: interface names and routes (docker machines). */
  network: '/etc/sandlot/network.sh',
  noSSH: '/etc/sandlot/no-ssh',
  hostKey: '/etc/ssh/ssh_host_ed25519_key',
  servicesDir: '/etc/sandlot/services.d',
  logDir: '/var/log/sandlot',
} as const;

// tini -g runs this as its child and forwards SIGTERM to the whole process group, so
// services started here stop with the machine instead of being killed after the timeout.
export const SANDLOT_INIT = `#!/bin/sh
# Sandlot machine init (PID 2, under tini). First boot: users and startup files.
# Every boot: interfaces and routes, services in /etc/sandlot/services.d, then sshd in the foreground.
set -u
mkdir -p /run/sshd ${MACHINE_PATHS.logDir} /var/lib/sandlot
if [ -e ${MACHINE_PATHS.network} ]; then
  sh ${MACHINE_PATHS.network} >${MACHINE_PATHS.logDir}/network.log 2>&1 || echo "sandlot-init: network set-up failed, see ${MACHINE_PATHS.logDir}/network.log" >&2
fi
if [ -e ${MACHINE_PATHS.firstBoot} ] && [ ! -e ${MACHINE_PATHS.firstBootDone} ]; then
  if sh ${MACHINE_PATHS.firstBoot} >${MACHINE_PATHS.logDir}/first-boot.log 2>&1; then
    touch ${MACHINE_PATHS.firstBootDone}
  else
    echo "sandlot-init: first boot failed:" >&2
    cat ${MACHINE_PATHS.logDir}/first-boot.log >&2
  fi
fi
for svc in ${MACHINE_PATHS.servicesDir}/*; do
  [ -x "$svc" ] || continue
  name=$(basename "$svc")
  "$svc" >>"${MACHINE_PATHS.logDir}/$name.log" 2>&1 &
done
if [ -e ${MACHINE_PATHS.noSSH} ]; then
  exec sleep infinity
fi
exec /usr/sbin/sshd -D -e
`;

// Keys only: the playground's user key is authorized for every user through one
// root-owned file, so user homes need no .ssh set-up and a user added later just works.
export const SSHD_CONFIG = `# Sandlot: key-only logins with the playground key and the injected host key.
HostKey ${MACHINE_PATHS.hostKey}
AuthorizedKeysFile .ssh/authorized_keys ${MACHINE_PATHS.authorizedKeys}
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
# /etc/motd on every terminal session, not once per login as PAM's pam_motd does: a VM's
# sessions share a login the agent keeps open (docs/microvm.md, SSH).
PrintMotd yes
`;
