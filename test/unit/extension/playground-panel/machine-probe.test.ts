import { describe, expect, it } from 'vitest';
import { PROBE_COMMAND, parseProbeOutput } from '../../../../extension/playground-panel/machine-probe';
import { LISTENING_PORTS_COMMAND } from '../../../../host-agent/machines/proc-net-tcp';
import { TCP, TCP6 } from '../../../fixtures/proc-net-tcp';

describe('machine probe output', () => {
  it('reads the listening ports first', () => {
    expect(PROBE_COMMAND.startsWith(LISTENING_PORTS_COMMAND)).toBe(true);
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
