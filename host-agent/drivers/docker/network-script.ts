// The script a docker machine runs at every boot (sandlot-init, before its services):
// Docker joins a container's networks in an order of its own (a Go map's, again at every
// start), so the interfaces are renamed to what the manifest lists — found by the address
// each one must carry — and the default route is set through the first non-private
// network's gateway (Docker would pick any non-internal one). The machine may change both
// afterwards (it has CAP_NET_ADMIN in its own network namespace, like root in a lab VM).
import type { MachineSpec } from '../protocol';
import { engineNetwork, interfaceAddress, type DockerLayout } from './network-layout';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function dockerNetworkScript(machine: MachineSpec, layout: DockerLayout): string {
  const wanted = machine.interfaces.map((itf) => ({ name: itf.name, address: interfaceAddress(layout, machine, itf) }));
  for (const w of wanted) {
    if (!/^eth\d+$/.test(w.name) || !IPV4.test(w.address)) throw new Error(`docker driver: bad interface ${JSON.stringify(w)} of ${machine.name}`);
  }
  const lines = [
    '#!/bin/sh',
    `# Sandlot: interfaces of machine ${machine.name} in manifest order, and its default route`,
    'set -u',
    'command -v ip >/dev/null || { echo "no ip command (iproute2): interfaces keep the names Docker gave them"; exit 0; }',
    // `ip -o -4 addr` lines: "<n>: <dev> inet <addr>/<len> …"
    'dev_of() { ip -o -4 addr show | while read -r _ dev _ cidr _; do [ "${cidr%/*}" = "$1" ] && { echo "$dev"; break; }; done; }',
  ];
  // Two passes through temporary names, so eth0 and eth1 can swap.
  wanted.forEach((w, k) => {
    lines.push(`d${k}=$(dev_of ${w.address})`, `[ -n "$d${k}" ] || echo "no interface has ${w.address} (${w.name})"`);
  });
  wanted.forEach((w, k) => {
    lines.push(`if [ -n "$d${k}" ] && [ "$d${k}" != ${w.name} ]; then ip link set "$d${k}" down && ip link set "$d${k}" name sltmp${k} && d${k}=sltmp${k}; fi`);
  });
  wanted.forEach((w, k) => {
    lines.push(`if [ "$d${k}" = sltmp${k} ]; then ip link set sltmp${k} name ${w.name} && ip link set ${w.name} up; fi`);
  });
  const route = machine.defaultRoute;
  if (route) {
    const gw = engineNetwork(layout, machine.interfaces.find((i) => i.name === route.interface)!.network).gateway;
    lines.push(`ip route replace default via ${gw} dev ${route.interface}`);
  } else {
    lines.push('ip route del default 2>/dev/null || true');
  }
  return lines.join('\n') + '\n';
}
