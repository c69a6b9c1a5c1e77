import { describe, expect, it } from 'vitest';
import { hostsFile, machineHostsEntries } from '../../../../host-agent/drivers/machine-names';
import { specFrom } from '../../../helpers/spec';

const LAB = specFrom(`
kind: playground
name: lab
playground:
  networks:
    - { name: front, subnet: 10.1.0.0/24 }
    - { name: back, subnet: 10.2.0.0/24 }
  machines:
    - name: web
      network: { interfaces: [{ network: front }] }
    - name: router
      network: { interfaces: [{ network: front }, { network: back }] }
    - name: db
      network: { interfaces: [{ network: back }] }
`);

describe('machine names', () => {
  it('gives every machine <machine>.<network> for each interface and <machine> where the viewer can reach it', () => {
    const [web, router, db] = LAB.machines;
    expect(machineHostsEntries(LAB, web)).toEqual([
      { address: '10.1.0.2', names: ['web', 'web.front'] },
      { address: '10.1.0.3', names: ['router', 'router.front'] },
      { address: '10.2.0.2', names: ['router.back'] },
      // db shares no network with web: its bare name is its eth0 (resolvable, not reachable).
      { address: '10.2.0.3', names: ['db', 'db.back'] },
    ]);
    expect(machineHostsEntries(LAB, db).find((e) => e.names.includes('router'))?.address).toBe('10.2.0.2');
    expect(machineHostsEntries(LAB, router).find((e) => e.names.includes('router'))?.address).toBe('10.1.0.3');
  });

  it('renders a hosts file with localhost first and addresses moved by the driver', () => {
    const [web] = LAB.machines;
    const text = hostsFile(machineHostsEntries(LAB, web, (_m, itf) => itf.address.replace(/^10\./, '11.')));
    expect(text.split('\n').slice(0, 3)).toEqual(['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback', '11.1.0.2 web web.front']);
  });
});
