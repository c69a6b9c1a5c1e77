// Snapshots and forks with the microvm driver, as a user gets them: the real `sandlot` CLI
// and API against a real agent (`--driver microvm`) on real QEMU (TCG here), real SSH into
// the machines. One machine with a data drive gets files and a tool installed; a snapshot
// of it running (the VM paused for the copy of its disks) forks twice; each fork sees the
// state on both drives and changes on its own, the original stays as it was; every fork
// has its own host key and playground key pair (in sshd and in users' homes); a snapshot
// whose disk copy was damaged is refused before anything starts; forks outlive the
// original; snapshots of forks (running and stopped) outlive the snapshot the forks came
// from, and one saved as a template starts with its state; nothing is left (QEMU,
// namespaces, files) once all is gone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord, SnapshotRecord } from '../../../../../host-agent/api/protocol';
import { MicrovmDriver } from '../../../../../host-agent/drivers/microvm/driver';
import { cli, cliJson, sshOutput, startAgent, tempHome, waitForState, type AgentHandle } from '../../../../helpers/agent-process';
import { snapshotHost, waitForNoLeaks, type HostResources } from '../../../../helpers/host-leaks';
import { VM_CACHE, processesMentioning, vmEnv, removeVmHome } from './helpers';

const LAB = `kind: playground
name: vm-snap
playground:
  driver: microvm
  machines:
    - name: dev
      resources: { cpuCount: 1, ramSize: 512Mi }
      drives:
        - { source: linux, mount: / }
        - { mount: /data, size: 1GiB }
`;

// Written just before the snapshot, without a sync of our own: the driver must get the
// guest's page cache onto the disk before it copies it.
const INSTALL = [
  'mkdir -p /opt/greeter/lib',
  "printf 'hello from greeter\\n' > /opt/greeter/lib/message",
  "printf '#!/bin/sh\\ncat /opt/greeter/lib/message\\n' > /usr/local/bin/greeter",
  'chmod 755 /usr/local/bin/greeter',
  'echo "greeter 1.0" >> /etc/installed-tools',
  'echo notes > /root/notes.txt',
  'echo "data of the lab" > /data/state.txt',
  'echo ok',
].join(' && ');

/** A host key or public key line without its comment. */
const key = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');

describe('snapshots and forks with the microvm driver', { timeout: 600_000 }, () => {
  let home: string;
  let agent: AgentHandle;
  let original: PlaygroundRecord;
  let snap: SnapshotRecord;
  let before: HostResources;
  const forks: PlaygroundRecord[] = [];
  const run = (id: string, command: string) => sshOutput(agent, id, command);
  const json = <T>(args: string[]): T => cliJson<T>(agent, args);

  beforeAll(async () => {
    // The image is shared by every microvm test; built here on the first run only.
    await new MicrovmDriver({ stateHome: VM_CACHE, cacheDir: VM_CACHE }).images.ensure('linux');
    before = snapshotHost();
    home = tempHome('sandlot-vm-snap-');
    agent = await startAgent({ home, args: ['--driver', 'microvm'], env: vmEnv() });
    const created = await agent.client.create({ manifest: LAB, manifestName: 'vm-snap.yaml' });
    original = await waitForState(agent.client, created.id, 'running', 400_000);
  }, 900_000);

  afterAll(async () => {
    if (agent) {
      for (const p of await agent.client.list().catch(() => [])) await agent.client.destroy(p.id).catch(() => undefined);
      for (const s of await agent.client.snapshots().catch(() => [])) await agent.client.deleteSnapshot(s.id).catch(() => undefined);
      await agent.kill();
    }
    removeVmHome(home);
  }, 180_000);

  it('snapshots a running playground: the VM is paused for the copy and keeps running', () => {
    expect(run(original.id, INSTALL)).toBe('ok\n');
    const r = cli(agent, ['snapshot', original.id, '--name', 'base']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ snapshot dev/);
    snap = json<SnapshotRecord[]>(['snapshots', original.id])[0];
    expect(snap).toMatchObject({ name: 'base', playground: original.id, driver: 'microvm', state: 'ready' });
    const part = path.join(home, 'snapshots', snap.id, 'machines', 'dev');
    expect(fs.readdirSync(part).sort()).toEqual(['drive1.qcow2', 'microvm.json', 'root.qcow2']);
    // The copy holds the machine's own changes only: its image stays in the shared cache below it.
    expect(fs.statSync(path.join(part, 'root.qcow2')).blocks * 512).toBeLessThan(256 * 1024 ** 2);
    expect(run(original.id, 'greeter; cat /data/state.txt')).toBe('hello from greeter\ndata of the lab\n');
  });

  it('forks it twice: each fork has the state, its own host key and key pair, and changes of its own', async () => {
    for (let i = 0; i < 2; i++) {
      const made = await agent.client.fork({ snapshot: 'base' }, { title: `fork ${i}` });
      forks.push(await waitForState(agent.client, made.id, 'running', 300_000));
    }
    expect(forks.map((f) => [f.state, f.forkOf, f.driver])).toEqual([
      ['running', snap.id, 'microvm'],
      ['running', snap.id, 'microvm'],
    ]);
    const all = [original, ...forks];
    expect(new Set(all.map((p) => p.machines[0].hostKey)).size).toBe(3);
    expect(new Set(all.map((p) => p.userPublicKey)).size).toBe(3);
    for (const p of all) {
      // What sshd serves and the users' machine-to-machine key: this playground's own (`sandlot ssh` checks the host key too).
      const [hostKey, userKey, known] = run(p.id, 'cat /etc/ssh/ssh_host_ed25519_key.pub /root/.ssh/id_ed25519.pub /root/.ssh/known_hosts').trim().split('\n');
      expect(key(hostKey)).toBe(key(p.machines[0].hostKey));
      expect(key(userKey)).toBe(key(p.userPublicKey));
      expect(known).toBe(`dev ${key(p.machines[0].hostKey)}`);
    }
    for (const f of forks) {
      expect(run(f.id, 'hostname; greeter; cat /etc/installed-tools /root/notes.txt /data/state.txt')).toBe(
        'dev\nhello from greeter\ngreeter 1.0\nnotes\ndata of the lab\n',
      );
    }
    run(forks[0].id, 'echo "fork zero" > /root/notes.txt && echo zero > /data/state.txt');
    run(forks[1].id, 'rm /usr/local/bin/greeter');
    expect(run(forks[0].id, 'greeter; cat /root/notes.txt /data/state.txt')).toBe('hello from greeter\nfork zero\nzero\n');
    expect(run(forks[1].id, 'cat /root/notes.txt /data/state.txt; test -e /usr/local/bin/greeter || echo gone')).toBe('notes\ndata of the lab\ngone\n');
    expect(run(original.id, 'greeter; cat /root/notes.txt /data/state.txt')).toBe('hello from greeter\nnotes\ndata of the lab\n');
  });

  it('keeps a fork its own identity across stop and start, and snapshots it while stopped', () => {
    const f = forks[0];
    expect(cli(agent, ['stop', f.id]).code).toBe(0);
    // A stopped machine's disks are copied as they are (no VM to pause).
    const stopped = cli(agent, ['snapshot', f.id, '--name', 'stopped']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(json<PlaygroundRecord>(['status', f.id]).state).toBe('stopped');
    const r = cli(agent, ['start', f.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(key(run(f.id, 'cat /root/.ssh/id_ed25519.pub'))).toBe(key(f.userPublicKey));
    expect(run(f.id, 'cat /root/notes.txt')).toBe('fork zero\n');
  });

  it('refuses a snapshot whose disk copy was damaged, and starts nothing', () => {
    const r0 = cli(agent, ['snapshot', original.id, '--name', 'dmg']);
    expect(r0.code, r0.stderr).toBe(0);
    const dmg = json<SnapshotRecord[]>(['snapshots']).find((s) => s.name === 'dmg');
    if (!dmg) throw new Error('no snapshot named dmg');
    const disk = path.join(home, 'snapshots', dmg.id, 'machines', 'dev', 'root.qcow2');
    const fd = fs.openSync(disk, 'r+');
    fs.writeSync(fd, Buffer.from('damage'), 0, 6, 70_000);
    fs.closeSync(fd);
    const count = json<PlaygroundRecord[]>(['list']).length;
    const r = cli(agent, ['fork', 'dmg']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `sandlot: snapshot ${dmg.id} is damaged: its files are not what it recorded (machines/dev/root.qcow2 changed content); it cannot be forked (delete it with: sandlot snapshots rm ${dmg.id})`,
    );
    expect(json<PlaygroundRecord[]>(['list'])).toHaveLength(count);
    expect(cli(agent, ['snapshots', 'rm', 'dmg']).code).toBe(0);
  });

  it('keeps forks working when the original is destroyed', () => {
    expect(cli(agent, ['destroy', original.id]).code).toBe(0);
    expect(run(forks[1].id, 'cat /etc/installed-tools /data/state.txt')).toBe('greeter 1.0\ndata of the lab\n');
    expect(run(forks[0].id, 'greeter')).toBe('hello from greeter\n');
  });

  it('snapshots forks into snapshots of their own, which outlive the snapshot the forks came from and start as a saved template', () => {
    const r = cli(agent, ['snapshot', forks[1].id, '--name', 'second']);
    expect(r.code, r.stderr).toBe(0);
    const second = json<SnapshotRecord[]>(['snapshots']).find((s) => s.name === 'second')!;
    for (const f of forks) expect(cli(agent, ['destroy', f.id]).code).toBe(0);
    expect(cli(agent, ['snapshots', 'rm', 'base']).code).toBe(0);
    // The CLI (as a user would): the test's API client, idle through the CLI calls above, may hold a socket the agent already closed.
    const again = json<PlaygroundRecord>(['fork', 'second']);
    expect(again.state).toBe('running');
    expect(again.forkOf).toBe(second.id);
    expect(run(again.id, 'cat /root/notes.txt /data/state.txt; test -e /usr/local/bin/greeter || echo gone')).toBe('notes\ndata of the lab\ngone\n');
    // The stopped fork's snapshot as a template of the user's own: starting it forks the snapshot.
    const saved = json<{ name: string; snapshot: string }>(['save', 'stopped', '--as-template', 'vm-saved']);
    const fromStopped = json<PlaygroundRecord>(['start', 'vm-saved']);
    expect(fromStopped).toMatchObject({ template: 'vm-saved', forkOf: saved.snapshot, driver: 'microvm', state: 'running' });
    expect(run(fromStopped.id, 'greeter; cat /root/notes.txt /data/state.txt')).toBe('hello from greeter\nfork zero\nzero\n');
    for (const p of [again, fromStopped]) expect(cli(agent, ['destroy', p.id]).code).toBe(0);
    expect(cli(agent, ['templates', 'rm', 'vm-saved']).code).toBe(0);
  });

  it('leaves nothing behind once every fork is destroyed and the snapshots deleted', async () => {
    for (const name of ['second', 'stopped']) {
      const r = cli(agent, ['snapshots', 'rm', name]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(fs.readdirSync(path.join(home, 'snapshots'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'playgrounds'))).toEqual([]);
    // The agent's own helpers (its lock holder) mention the home too: they end with it.
    await agent.kill();
    const commands = () =>
      processesMentioning(home).map((pid) => {
        try {
          return `${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
        } catch {
          return undefined;
        }
      });
    // Processes take a moment to end after a destroy.
    for (let i = 0; i < 50 && commands().some((c) => c !== undefined); i++) await new Promise((r) => setTimeout(r, 200));
    expect(commands().filter((c) => c !== undefined)).toEqual([]);
    // Other sessions share this host: only what mentions this test's home counts.
    const left = await waitForNoLeaks(before, 15_000);
    expect((left.processes ?? []).filter((p) => p.includes(home))).toEqual([]);
  });
});
