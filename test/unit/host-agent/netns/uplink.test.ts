import { describe, expect, it } from 'vitest';
import { namespaceNatRules } from '../../../../host-agent/netns/uplink';
import { upstreamResolvers } from '../../../../host-agent/netns/dns-forwarder';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

describe("a playground namespace's NAT rules", () => {
  it('forwards only from non-private bridges to the uplink and masquerades there', () => {
    const rules = namespaceNatRules([
      { name: 'br0', private: false },
      { name: 'br1', private: true },
      { name: 'br2', private: false },
    ]);
    expect(rules).toMatch(/policy drop;/);
    expect(rules).toMatch(/iifname \{ "br0", "br2" \} oifname "uplink0" accept/);
    expect(rules).not.toMatch(/"br1"[^\n]*oifname "uplink0"/);
    expect(rules).toMatch(/iifname "br1" oifname "br1" accept/);
    expect(rules).toMatch(/oifname "uplink0" masquerade/);
  });

  it('has no accept rule at all when every network is private', () => {
    expect(namespaceNatRules([{ name: 'br0', private: true }])).not.toMatch(/oifname "uplink0" accept/);
  });
});

describe("the host's resolvers", () => {
  it('come from SANDLOT_DNS_UPSTREAM, else the IPv4 nameservers of resolv.conf', () => {
    expect(upstreamResolvers({ SANDLOT_DNS_UPSTREAM: '198.51.100.53, 10.0.0.1' })).toEqual(['198.51.100.53', '10.0.0.1']);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'resolv-')), 'resolv.conf');
    fs.writeFileSync(file, '# comment\nnameserver 127.0.0.53\nnameserver ::1\noptions edns0\nnameserver 10.255.255.53\n');
    expect(upstreamResolvers({}, file)).toEqual(['127.0.0.53', '10.255.255.53']);
    expect(upstreamResolvers({}, path.join(path.dirname(file), 'missing'))).toEqual([]);
  });
});
