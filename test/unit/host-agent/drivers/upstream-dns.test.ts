import { describe, expect, it } from 'vitest';
import { configuredDns, nameserversOf, upstreamDns } from '../../../../host-agent/drivers/upstream-dns';

describe('upstream DNS', () => {
  it('reads IPv4 nameservers from resolv.conf text', () => {
    expect(nameserversOf('# x\nnameserver 192.0.2.1\nsearch a\nnameserver ::1\n  nameserver 192.0.2.2 \n')).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('prefers SANDLOT_DNS_UPSTREAM and refuses anything but IPv4 there', () => {
    expect(configuredDns({ SANDLOT_DNS_UPSTREAM: ' 198.51.100.53, 198.51.100.54' })).toEqual(['198.51.100.53', '198.51.100.54']);
    expect(configuredDns({})).toBeUndefined();
    expect(() => configuredDns({ SANDLOT_DNS_UPSTREAM: '198.51.100.53,dns.example' })).toThrow(
      'SANDLOT_DNS_UPSTREAM: expected comma-separated IPv4 addresses like "192.0.2.53,192.0.2.54", got "dns.example"',
    );
    expect(upstreamDns({ SANDLOT_DNS_UPSTREAM: '198.51.100.53' }, () => 'nameserver 192.0.2.1')).toEqual(['198.51.100.53']);
  });

  it("skips a loopback stub for systemd-resolved's upstream list", () => {
    const files: Record<string, string> = {
      '/etc/resolv.conf': 'nameserver 127.0.0.53\n',
      '/run/systemd/resolve/resolv.conf': 'nameserver 192.0.2.9\n',
    };
    expect(upstreamDns({}, (f) => files[f])).toEqual(['192.0.2.9']);
    expect(upstreamDns({}, () => 'nameserver 192.0.2.1\n')).toEqual(['192.0.2.1']);
  });
});
