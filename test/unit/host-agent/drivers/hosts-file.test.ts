import { describe, expect, it } from 'vitest';
import { hostAddresses, renderHostsFile } from '../../../../host-agent/drivers/hosts-file';
import type { MachineSpec } from '../../../../host-agent/drivers/protocol';
import { specFrom } from '../../../helpers/spec';

// A whole machine spec from the agent's builder; each test sets the name and interfaces the renderer reads.
const base = specFrom('kind: playground\nname: t\nplayground:\n  machines:\n    - name: m\n').machines[0];
const machine = (name: string, ifaces: [string, string][]): MachineSpec => ({
  ...base,
  name,
  interfaces: ifaces.map(([network, address], i) => ({ name: `eth${i}`, network, address, prefixLength: 24 })),
});

describe('a playground hosts file', () => {
  const spec = {
    machines: [
      machine('web-01', [
        ['frontend', '10.0.1.10'],
        ['backend', '10.0.2.10'],
      ]),
      machine('db-01', [['backend', '10.0.2.20']]),
    ],
  };

  it('names each machine by its first address and by <machine>.<network> on every network', () => {
    const text = renderHostsFile(spec, [{ address: '10.0.1.5', names: ['registry.sandlot.local'] }]);
    expect(text.split('\n')).toEqual([
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      '10.0.1.10\tweb-01 web-01.frontend',
      '10.0.2.10\tweb-01.backend',
      '10.0.2.20\tdb-01 db-01.backend',
      '10.0.1.5\tregistry.sandlot.local',
      '',
    ]);
  });

  it('resolves the same names for the agent', () => {
    expect(hostAddresses(spec)).toEqual({
      'web-01': '10.0.1.10',
      'web-01.frontend': '10.0.1.10',
      'web-01.backend': '10.0.2.10',
      'db-01': '10.0.2.20',
      'db-01.backend': '10.0.2.20',
    });
  });
});
