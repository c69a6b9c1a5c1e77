import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';

export const DEADLINE = '2026-11-21T12:00:00.000Z';
export const NOW = Date.parse(DEADLINE) - (3600_000 + 30 * 60_000);

export const record = (extra: Partial<PlaygroundRecord> = {}): PlaygroundRecord => ({
  id: 'pg-abc123',
  template: 'linux-multi',
  title: 'Multi',
  driver: 'sandbox',
  state: 'running',
  createdAt: '2026-11-21T10:00:00.000Z',
  deadline: DEADLINE,
  userPublicKey: 'ssh-ed25519 AAAA',
  machines: [
    {
      name: 'dev',
      state: 'running',
      users: ['root', 'laborant'],
      defaultUser: 'root',
      home: '/root',
      noSSH: false,
      address: '10.77.0.2',
      hostKey: 'k',
      resources: { cpuCount: 2, ramSize: '1Gi' },
    },
    {
      name: 'db',
      state: 'running',
      users: ['root'],
      defaultUser: 'root',
      home: '/root',
      noSSH: true,
      hostKey: 'k',
      resources: { cpuCount: 1, ramSize: '512Mi' },
    },
  ],
  ...extra,
});
