import { describe, expect, it } from 'vitest';
import { wireMachineBatch } from '../../../../../host-agent/drivers/sandbox/driver';

describe('wiring a machine into its bridges', () => {
  it('gives ip one veth pair per interface, the machine end moved in under its own name, the hub end on its bridge', () => {
    const batch = wireMachineBatch(4242, [
      { hubSide: 'm0e0', bridge: 'br0', inMachine: 'eth0' },
      { hubSide: 'm0e1', bridge: 'br1', inMachine: 'eth1' },
    ]);
    expect(batch.split('\n')).toEqual([
      'link add m0e0 type veth peer name eth0 netns 4242',
      'link set m0e0 master br0 up',
      'link add m0e1 type veth peer name eth1 netns 4242',
      'link set m0e1 master br1 up',
      '',
    ]);
  });
});
