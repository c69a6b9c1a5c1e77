import { describe, expect, it } from 'vitest';
import { hostTscKhz } from '../../../../../host-agent/drivers/microvm/accel';
import { machineAddress, networkScript, tapName } from '../../../../../host-agent/drivers/microvm/network';

describe('playground network', () => {
  it('gives machines fixed addresses on the namespace-private subnet', () => {
    expect(machineAddress(0)).toBe('10.89.0.10');
    expect(machineAddress(4)).toBe('10.89.0.14');
    expect(() => machineAddress(-1)).toThrow('machine index -1 outside 0-200');
    expect(tapName(2)).toBe('tap2');
  });

  it('makes the bridge, the agent address and one tap per machine, idempotently', () => {
    const s = networkScript(['tap0', 'tap1']);
    expect(s).toContain('ip link show br0 >/dev/null 2>&1 || ip link add br0 type bridge');
    expect(s).toContain('ip addr replace 10.89.0.1/24 dev br0');
    expect(s).toContain('ip link show tap1 >/dev/null 2>&1 || ip tuntap add dev tap1 mode tap');
    expect(s).toContain('ip link set tap1 master br0 up');
  });

  it('reads the host TSC frequency from /proc/cpuinfo', () => {
    expect(hostTscKhz('processor\t: 0\ncpu MHz\t\t: 2596.142\n')).toBe(2596142);
    expect(hostTscKhz('processor\t: 0\n')).toBeUndefined();
  });
});
