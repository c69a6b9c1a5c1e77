import { describe, expect, it } from 'vitest';
import { hostTscKhz } from '../../../../../host-agent/drivers/microvm/accel';
import { machineAddress, networkPlan, networkScript, tapName } from '../../../../../host-agent/drivers/microvm/network';
import { specFrom } from '../../../../helpers/spec';

const LAB = specFrom(`
kind: playground
name: lab
playground:
  networks:
    - { name: front, subnet: 10.1.0.0/24 }
    - { name: back, subnet: 10.2.0.0/24, private: true }
  machines:
    - name: router
      network: { interfaces: [{ network: front }, { network: back }] }
    - name: db
      network: { interfaces: [{ network: back }] }
`);

describe('playground network', () => {
  it('reaches a machine at its first interface and names one tap per machine interface', () => {
    expect(machineAddress(LAB.machines[1])).toBe('10.2.0.3');
    expect(tapName(2, 1)).toBe('tap2i1');
    expect(() => tapName(-1, 0)).toThrow('machine index -1 outside 0-200');
  });

  it('makes one bridge per network holding its gateway, and each tap on its network, idempotently', () => {
    const plan = networkPlan(LAB);
    expect(plan).toEqual({
      bridges: [
        { name: 'br0', address: '10.1.0.1/24', private: false },
        { name: 'br1', address: '10.2.0.1/24', private: true },
      ],
      taps: [
        { name: 'tap0i0', bridge: 'br0' },
        { name: 'tap0i1', bridge: 'br1' },
        { name: 'tap1i0', bridge: 'br1' },
      ],
    });
    const s = networkScript(plan);
    expect(s).toContain('ip link show br1 >/dev/null 2>&1 || ip link add br1 type bridge');
    expect(s).toContain('ip addr replace 10.2.0.1/24 dev br1');
    expect(s).toContain('ip link show tap1i0 >/dev/null 2>&1 || ip tuntap add dev tap1i0 mode tap');
    expect(s).toContain('ip link set tap1i0 master br1 up');
  });

  it('reads the host TSC frequency from /proc/cpuinfo', () => {
    expect(hostTscKhz('processor\t: 0\ncpu MHz\t\t: 2596.142\n')).toBe(2596142);
    expect(hostTscKhz('processor\t: 0\n')).toBeUndefined();
  });
});
