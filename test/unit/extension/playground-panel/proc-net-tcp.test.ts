import { describe, expect, it } from 'vitest';
import { decodeAddress, parseListeningPorts } from '../../../../extension/playground-panel/proc-net-tcp';
import { PROBE_COMMAND, parseProbeOutput } from '../../../../extension/playground-panel/machine-probe';

// Rows in the kernel's exact layout (copied from a Debian 12 host, then edited).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8565 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1108539 1 00000000725225d7 100 0 0 10 0
   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1146 1 000000001c2e0a4c 100 0 0 10 0
   2: 0100007F:9C86 0100007F:8565 01 00000000:00000000 02:0000002B 00000000     0        0 1107957 2 00000000981d27fd 20 4 21 18 -1
   3: 00000000:223D 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2201 1 0000000000000000 100 0 0 10 0
   4: 0A0A0A0A:223D 0B0A0A0A:D431 06 00000000:00000000 03:00000F9C 00000000     0        0 0 3 0000000000000000
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:223D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2202 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2203 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0a 00000000:00000000 00:00000000 00000000     0        0 2204 1 0000000000000000 100 0 0 10 0
   3: 000080FE00000000FF0C0A02FE18ABFC:1388 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2205 1 0000000000000000 100 0 0 10 0
   4: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2206 1 0000000000000000 100 0 0 10 0
`;

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
    expect(parseListeningPorts(TCP.split('\n')[0]!)).toEqual([]);
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

describe('machine probe output', () => {
  it('reads both tables and every file the command names', () => {
    expect(PROBE_COMMAND).toContain('/proc/net/tcp ');
    expect(PROBE_COMMAND).toContain('/proc/net/tcp6');
  });

  it('splits ports from the interface addresses, leaving out link-local IPv6', () => {
    const out = `${TCP}${TCP6}--sandlot-probe--\n10.0.0.2 172.17.0.1 fd00::2 fe80::1 \n`;
    const probe = parseProbeOutput(out);
    expect(probe.addresses).toEqual(['10.0.0.2', '172.17.0.1', 'fd00::2']);
    expect(probe.ports.map((p) => p.port)).toEqual([22, 80, 443, 2024, 5000, 8765, 34149]);
  });

  it('copes with no hostname output and with the marker missing', () => {
    expect(parseProbeOutput(`${TCP}--sandlot-probe--\n`).addresses).toEqual([]);
    expect(parseProbeOutput(TCP).ports.map((p) => p.port)).toEqual([2024, 8765, 34149]);
    expect(parseProbeOutput('--sandlot-probe--\nhostname: invalid option -- I\n').addresses).toEqual([]);
  });
});
