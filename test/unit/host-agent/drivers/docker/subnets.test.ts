import { describe, expect, it } from 'vitest';
import { hostAddress, overlaps, parseCidr, pickSubnet, routesFromProcNetRoute } from '../../../../../host-agent/drivers/docker/subnets';

describe('subnets', () => {
  it('parses CIDRs to their network base and refuses bad ones', () => {
    expect(parseCidr('10.213.7.9/24')).toEqual({ base: parseCidr('10.213.7.0/24').base, bits: 24 });
    expect(() => parseCidr('10.213.7/24')).toThrow('expected a CIDR like 10.213.0.0/24, got "10.213.7/24"');
    expect(() => parseCidr('10.0.0.300/24')).toThrow(/expected an IPv4 address/);
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/expected a CIDR/);
  });

  it('detects overlaps both ways', () => {
    expect(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.213.4.0/24'))).toBe(true);
    expect(overlaps(parseCidr('10.213.4.0/24'), parseCidr('10.0.0.0/8'))).toBe(true);
    expect(overlaps(parseCidr('10.213.4.0/24'), parseCidr('10.213.5.0/24'))).toBe(false);
  });

  it('picks a /24 in the pool that avoids every used range, deterministically per seed', () => {
    const a = pickSubnet('pg-aaaa', []);
    expect(a).toMatch(/^10\.213\.\d+\.0\/24$/);
    expect(pickSubnet('pg-aaaa', [])).toBe(a);
    const b = pickSubnet('pg-aaaa', [a]);
    expect(b).not.toBe(a);
    // A wide route over the whole pool leaves nothing.
    expect(() => pickSubnet('x', ['10.0.0.0/8'])).toThrow('no free /24 left in 10.213.0.0/16: 1 networks and routes use it');
    // Only one slot left: it is found whatever the seed.
    const all = Array.from({ length: 256 }, (_, i) => `10.213.${i}.0/24`).filter((s) => s !== '10.213.77.0/24');
    expect(pickSubnet('seed', all)).toBe('10.213.77.0/24');
  });

  it('computes host addresses inside a subnet and refuses ones outside', () => {
    expect(hostAddress('10.213.9.0/24', 1)).toBe('10.213.9.1');
    expect(hostAddress('10.213.9.0/24', 12)).toBe('10.213.9.12');
    expect(() => hostAddress('10.213.9.0/24', 255)).toThrow('address offset 255 does not fit in 10.213.9.0/24');
  });

  it('reads host routes from /proc/net/route, skipping the default route', () => {
    const text = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    ].join('\n');
    expect(routesFromProcNetRoute(text)).toEqual(['192.0.2.0/24', '172.17.0.0/16']);
  });
});
