// Snapshots and forks on the sandbox driver (root: image roots), through the driver
// itself: state written in a machine survives into a snapshot; two forks of it see that
// state, change independently of each other and of the original, and get their own SSH
// identity; destroying the original leaves the forks working; a fork costs no copy.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxDriver } from '../../../../../host-agent/drivers/sandbox/driver';
import { loadManifestText } from '../../../../../host-agent/manifests/load';
import { makePlayground, recordingContext, sshExec, type TestPlayground } from '../docker/helpers';
import { snapshotHost, waitForNoLeaks } from '../../../../helpers/host-leaks';

const MANIFEST = loadManifestText(
  `kind: playground
name: snap
playground:
  machines:
    - name: dev
      image: linux
      users: [{ name: root, default: true }, { name: laborant }]
      drives: [{ source: linux, mount: /, size: 1GiB }]
    - name: view
`,
  'snap.yaml',
);

describe.skipIf(process.getuid?.() !== 0)('sandbox snapshots and forks', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-snap-'));
  const home = path.join(root, 'home');
  let driver: SandboxDriver;
  let original: TestPlayground;
  const forks: TestPlayground[] = [];
  const snapshotDir = path.join(root, 'snapshot');
  const ctx = recordingContext();
  const before = snapshotHost();
  const run = (pg: TestPlayground, machine: string, command: string) => sshExec(driver, pg, machine, 'root', command);

  beforeAll(async () => {
    process.env.SANDLOT_HOME = home;
    driver = new SandboxDriver({ playgroundsDir: path.join(home, 'playgrounds') });
    original = makePlayground(MANIFEST, path.join(home, 'playgrounds'));
    await driver.create(original.spec, ctx);
  }, 600_000);

  afterAll(async () => {
    for (const pg of [original, ...forks]) await driver.destroy(pg.spec, ctx).catch(() => undefined);
    await driver.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('freezes a running playground: files in /usr, /etc and home, a deleted file, in both kinds of root', async () => {
    const r = await run(
      original,
      'dev',
      'echo tool > /usr/local/bin/tool && echo "# orig" >> /etc/bash.bashrc && rm /usr/bin/less && echo note > /root/note && echo ok',
    );
    expect(r.stdout).toBe('ok\n');
    expect((await run(original, 'view', 'echo kept > /root/kept && echo ok')).stdout).toBe('ok\n');
    fs.mkdirSync(snapshotDir);
    const parts = await driver.snapshot(original.spec, snapshotDir, ctx);
    expect(parts.map((p) => p.name)).toEqual(['dev', 'view']);
    // Still running after the pause.
    expect((await run(original, 'dev', 'echo alive')).stdout).toBe('alive\n');
  });

  it('starts two forks from it, each with the state, its own identity, and changes of its own', async () => {
    for (let i = 0; i < 2; i++) {
      const fork = makePlayground(MANIFEST, path.join(home, 'playgrounds'));
      const t0 = performance.now();
      await driver.createFromSnapshot(fork.spec, snapshotDir, ctx);
      console.log(`fork ${i} → running in ${(performance.now() - t0).toFixed(0)} ms`);
      forks.push(fork);
    }
    for (const fork of forks) {
      const r = await run(fork, 'dev', 'cat /usr/local/bin/tool /root/note; tail -1 /etc/bash.bashrc; ls /usr/bin/less 2>&1; cat /root/.ssh/id_ed25519.pub');
      expect(r.stdout).toContain('tool\nnote\n# orig\n');
      expect(r.stdout).toMatch(/cannot access '\/usr\/bin\/less'/);
      expect(r.stdout.trim().split('\n').at(-1)).toBe(fork.userKey.publicKey.trim());
      expect((await run(fork, 'view', 'cat /root/kept; cat /root/.ssh/id_ed25519.pub')).stdout).toBe(`kept\n${fork.userKey.publicKey.trim()}\n`);
    }
    await run(forks[0], 'dev', 'echo first > /root/note');
    await run(forks[1], 'dev', 'rm /usr/local/bin/tool');
    expect((await run(forks[1], 'dev', 'cat /root/note')).stdout).toBe('note\n');
    expect((await run(forks[0], 'dev', 'cat /usr/local/bin/tool')).stdout).toBe('tool\n');
    expect((await run(original, 'dev', 'cat /root/note /usr/local/bin/tool')).stdout).toBe('note\ntool\n');
  });

  it('uses almost no space for a fork until it changes something', () => {
    const disk = path.join(forks[0].spec.dir, 'driver', 'machines', 'dev', 'disk.img');
    // A fresh ext4 data disk plus the few files the fork wrote: the snapshot's layer is not copied.
    expect(fs.statSync(disk).blocks * 512).toBeLessThan(40 * 1024 ** 2);
  });

  it('keeps the forks working when the original is destroyed', async () => {
    await driver.destroy(original.spec, ctx);
    expect((await run(forks[1], 'dev', 'tail -1 /etc/bash.bashrc')).stdout).toBe('# orig\n');
  });

  it('leaves nothing behind once the forks are destroyed too', async () => {
    for (const fork of forks) await driver.destroy(fork.spec, ctx);
    const left = await waitForNoLeaks(before);
    expect(left, JSON.stringify(left)).toEqual({});
  });
});
