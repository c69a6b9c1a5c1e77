import { describe, expect, it } from 'vitest';
import { decodeAddress, LISTENING_PORTS_COMMAND, parseListeningPorts } from '../../../../host-agent/machines/proc-net-tcp';
import { TCP, TCP6 } from '../../../fixtures/proc-net-tcp';

describe('parseListeningPorts', () => {
  it('keeps only LISTEN rows (0A), v4 and v6, one entry per port, sorted by port', () => {
    expect(parseListeningPorts(TCP + TCP6)).toEqual([
      { port: 22, addresses: ['::1'] },
      { port: 80, addresses: ['127.0.0.1'] },
      { port: 443, addresses: ['2001:db8::1'] },
      { port: 2024, addresses: ['0.0.0.0'] },
      { port: 5000, addresses: ['fe80::20a:cff:fcab:18fe'] },
      { port: 8765, addresses: ['0.0.0.0', '::'] },
      { port: 34149, addresses: ['127.0.0.1'] },
    ]);
  });

  it('leaves out established (01) and time-wait (06) sockets even on a listening port', () => {
    const ports = parseListeningPorts(TCP);
    expect(ports.map((p) => p.port)).toEqual([2024, 8765, 34149]);
    // 0A0A0A0A:223D is a TIME_WAIT row on 8765: its address must not join the listener's.
    expect(ports.find((p) => p.port === 8765)!.addresses).toEqual(['0.0.0.0']);
  });

  it('merges the same socket listed twice (both files read twice) without duplicates', () => {
    expect(parseListeningPorts(TCP + TCP + TCP6 + TCP6).filter((p) => p.port === 8765)).toEqual([{ port: 8765, addresses: ['0.0.0.0', '::'] }]);
  });

  it('returns nothing for empty, header-only or garbled text', () => {
    expect(parseListeningPorts('')).toEqual([]);
    expect(parseListeningPorts(TCP.split('\n')[0])).toEqual([]);
    expect(parseListeningPorts('cat: /proc/net/tcp6: No such file or directory\n   7: zz:yy 00:00 0A\n   8: 0100007F 00000000:0000 0A\n')).toEqual([]);
    // Port 0 is not a port anyone can connect to.
    expect(parseListeningPorts('   0: 00000000:0000 00000000:0000 0A 0 0 0 0\n')).toEqual([]);
  });
});

describe('decodeAddress', () => {
  it('reads each 32-bit word in little-endian byte order', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('0F02000A')).toBe('10.0.2.15');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });

  it('reads IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('127.0.0.1');
  });

  it('refuses text that is not 8 or 32 hex digits', () => {
    expect(decodeAddress('0100007')).toBeUndefined();
    expect(decodeAddress('0100007G')).toBeUndefined();
    expect(decodeAddress('')).toBeUndefined();
  });
});

describe('LISTENING_PORTS_COMMAND', () => {
  it('reads both tables', () => {
    expect(LISTENING_PORTS_COMMAND).toContain('/proc/net/tcp ');
    expect(LISTENING_PORTS_COMMAND).toContain('/proc/net/tcp6');
  });
});
