// Sandbox machines with an image root (root agent): a writable root over the `linux`
// image, idmapped to the machine's ids, with its data on a disk of the root drive's size.
// Root in the machine changes /usr and /etc; the image on the host never changes, another
// machine of the same image never sees it; a full disk is the machine's own problem.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../../host-agent/api/protocol';
import { SandboxRootfsBuilder } from '../../../../../host-agent/images/sandbox-rootfs';
import { connectMachine } from '../../../../../host-agent/ssh/connect';
import { startModeAgent, type ModeAgent } from '../../../../helpers/agent-as';
import { waitForState } from '../../../../helpers/agent-process';
import { snapshotHost, waitForNoLeaks } from '../../../../helpers/host-leaks';
import { execOn } from '../../../../helpers/ssh-exec';

const LAB = stringify({
  kind: 'playground',
  name: 'image-lab',
  playground: {
    machines: ['dev', 'other'].map((name) => ({
      name,
      users: [{ name: 'root', default: true }, { name: 'laborant' }],
      drives: [
        { source: 'linux', mount: '/', size: '1GiB' },
        ...(name === 'dev'
          ? [
              { mount: '/data', size: '1GiB' },
              { mount: '/ro', size: '1GiB', readOnly: true },
            ]
          : []),
      ],
      startupFiles: [{ path: '/etc/motd', content: `welcome to ${name}\n` }],
    })),
  },
});

function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe.skipIf(process.getuid?.() !== 0)('sandbox image roots (agent as root)', () => {
  let agent: ModeAgent;
  let pg: PlaygroundRecord;
  let rootfs: string;
  const before = snapshotHost();
  const on = async (machine: string, command: string, timeoutMs = 60_000) => {
    const ssh = await connectMachine(agent.client, pg, machine);
    try {
      return await execOn(ssh, command, { timeoutMs });
    } finally {
      ssh.end();
    }
  };

  beforeAll(async () => {
    rootfs = (await new SandboxRootfsBuilder({ cacheDir: process.env.SANDLOT_VM_CACHE! }).ensure('linux')).rootfs;
    agent = await startModeAgent('root');
    const created = await agent.client.create({ manifest: LAB, manifestName: 'image-lab.yaml' });
    pg = await waitForState(agent.client, created.id, 'running', 120_000);
  }, 600_000);

  afterAll(async () => {
    await agent?.stop();
  });

  it("lets root change /usr and /etc; the image on the host and the other machine's root never change", async () => {
    const bashrc = digest(path.join(rootfs, 'etc/bash.bashrc'));
    const r = await on(
      'dev',
      'echo "# mine" >> /etc/bash.bashrc && touch /usr/local/bin/tool /usr/bin/new && rm /usr/bin/less && echo CHANGED; cat /etc/motd; id -u laborant; stat -c %u /usr/bin/bash',
    );
    expect(r.stdout).toMatch(/^CHANGED$/m);
    expect(r.stdout).toMatch(/^welcome to dev$/m);
    expect(r.stdout).toMatch(/^1000$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0');
    expect(digest(path.join(rootfs, 'etc/bash.bashrc'))).toBe(bashrc);
    expect(fs.existsSync(path.join(rootfs, 'usr/bin/new'))).toBe(false);
    expect(fs.existsSync(path.join(rootfs, 'usr/bin/less'))).toBe(true);
    const other = await on('other', 'tail -1 /etc/bash.bashrc; ls /usr/bin/new /usr/bin/less 2>&1');
    expect(other.stdout).not.toContain('# mine');
    expect(other.stdout).toMatch(/cannot access '\/usr\/bin\/new'/);
    expect(other.stdout).toMatch(/^\/usr\/bin\/less$/m);
  });

  it('keeps changes across stop and start', async () => {
    await agent.client.stop(pg.id);
    await agent.client.start(pg.id);
    pg = await waitForState(agent.client, pg.id, 'running', 60_000);
    const r = await on('dev', 'tail -1 /etc/bash.bashrc; ls /usr/local/bin/tool');
    expect(r.stdout).toBe('# mine\n/usr/local/bin/tool\n');
  });

  it('mounts extra drives at their mount points, read-only where asked', async () => {
    const r = await on('dev', 'df -P /data /ro | tail -2; touch /data/x && echo DATA-RW; touch /ro/x 2>/dev/null || echo RO-REFUSED');
    expect(r.stdout).toMatch(/\/data$/m);
    expect(r.stdout).toMatch(/^DATA-RW$/m);
    expect(r.stdout).toMatch(/^RO-REFUSED$/m);
  });

  it('fills only its own disk: ENOSPC inside, the agent and the other machine carry on', async () => {
    const r = await on('dev', 'dd if=/dev/zero of=/var/fill bs=1M count=2000 2>&1; df -P / | tail -1', 120_000);
    expect(r.stdout).toMatch(/No space left on device/);
    expect((await on('other', 'echo alive')).stdout).toBe('alive\n');
    expect((await agent.client.get(pg.id)).state).toBe('running');
    await on('dev', 'rm -f /var/fill');
  });

  it('leaves no loop device, mount or process after destroy', async () => {
    await agent.client.destroy(pg.id);
    await agent.stop();
    expect(await waitForNoLeaks(before)).toEqual({});
  });
});
