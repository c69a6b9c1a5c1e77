// Snapshots, forks and saved templates as a user gets them: the real `sandlot` CLI against
// a real agent with the sandbox driver as root (image roots), real SSH into the machines.
// A machine gets files and something installed-like; a snapshot of it forks twice; each
// fork sees that state and changes on its own, the original stays as it was; forks have
// their own host keys; a template saved from a fork starts with the fork's state; a
// snapshot damaged on purpose is refused; destroying the original keeps forks working;
// nothing is left behind once everything is destroyed and deleted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord, SnapshotRecord, TemplateSummary } from '../../../../host-agent/api/protocol';
import { destroyAllAndStop, cli, cliJson, sshOutput, startAgent, type AgentHandle } from '../../../helpers/agent-process';
import { snapshotHost, waitForNoLeaks } from '../../../helpers/host-leaks';

const INSTALL = [
  'mkdir -p /opt/greeter/lib',
  "printf 'hello from greeter\\n' > /opt/greeter/lib/message",
  "printf '#!/bin/sh\\ncat /opt/greeter/lib/message\\n' > /usr/local/bin/greeter",
  'chmod 755 /usr/local/bin/greeter',
  'echo "greeter 1.0" >> /etc/installed-tools',
  'echo notes > /root/notes.txt',
  'echo ok',
].join(' && ');

// Generous timeouts: a shared 2-core host under load makes every CLI call and machine start slower.
describe.skipIf(process.getuid?.() !== 0)('sandlot snapshot, fork, save (sandbox driver, root)', { timeout: 300_000 }, () => {
  const before = snapshotHost();
  let agent: AgentHandle;
  let original: PlaygroundRecord;
  let snap: SnapshotRecord;
  const forks: PlaygroundRecord[] = [];
  const run = (id: string, command: string) => sshOutput(agent, id, command);
  const json = <T>(args: string[]): T => cliJson<T>(agent, args);

  beforeAll(async () => {
    agent = await startAgent();
    original = json<PlaygroundRecord>(['start', 'linux']);
  }, 600_000);

  afterAll(async () => {
    await destroyAllAndStop(agent);
  });

  it('snapshots a running playground with progress lines, and lists it under the playground', () => {
    expect(run(original.id, INSTALL)).toBe('ok\n');
    const r = cli(agent, ['snapshot', original.id, '--name', 'base']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Snapshotting pg-\w+ \(running: its machines pause for the copy\)/);
    expect(r.stdout).toMatch(/✓ snapshot dev/);
    expect(r.stdout).toMatch(/✓ checksum: \d+ files/);
    expect(r.stdout).toMatch(/Snapshot sn-\w+ \(base\) of pg-\w+: 1 machine, \d+ files, [\d.]+ MiB on disk/);
    const list = json<SnapshotRecord[]>(['snapshots', original.id]);
    expect(list).toHaveLength(1);
    snap = list[0];
    expect(snap).toMatchObject({ name: 'base', playground: original.id, template: 'linux', driver: 'sandbox', state: 'ready' });
    expect(cli(agent, ['snapshots']).stdout).toMatch(/sn-\w+\s+base\s+pg-\w+\s+linux\s+ready/);
    // Still running after the pause.
    expect(run(original.id, 'greeter')).toBe('hello from greeter\n');
  });

  it('forks it twice: each fork has the state, new host keys, and changes of its own', () => {
    for (let i = 0; i < 2; i++) forks.push(json<PlaygroundRecord>(['fork', 'base', '--name', `fork ${i}`]));
    expect(forks.map((f) => [f.state, f.forkOf, f.title])).toEqual([
      ['running', snap.id, 'fork 0'],
      ['running', snap.id, 'fork 1'],
    ]);
    const hostKeys = [original, ...forks].map((p) => p.machines[0].hostKey);
    expect(new Set(hostKeys).size).toBe(3);
    for (const f of forks) expect(run(f.id, 'greeter; cat /etc/installed-tools /root/notes.txt')).toBe('hello from greeter\ngreeter 1.0\nnotes\n');
    run(forks[0].id, 'echo "fork zero" > /root/notes.txt');
    run(forks[1].id, 'rm /usr/local/bin/greeter');
    expect(run(forks[0].id, 'greeter; cat /root/notes.txt')).toBe('hello from greeter\nfork zero\n');
    expect(run(forks[1].id, 'cat /root/notes.txt; test -e /usr/local/bin/greeter || echo gone')).toBe('notes\ngone\n');
    expect(run(original.id, 'greeter; cat /root/notes.txt')).toBe('hello from greeter\nnotes\n');
  });

  it('forks a playground directly (snapshot now, then fork)', () => {
    const r = cli(agent, ['fork', forks[0].id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Forking pg-\w+: snapshot first/);
    const id = /Playground (pg-\w+) is running/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(run(id!, 'cat /root/notes.txt')).toBe('fork zero\n');
    expect(cli(agent, ['destroy', id!]).code).toBe(0);
  });

  it('saves a fork as a template that `start` forks, listed by `templates`, removed by `templates rm`', () => {
    const saved = json<TemplateSummary>(['save', forks[0].id, '--as-template', 'my-lab', '--title', 'My lab']);
    expect(saved).toMatchObject({ name: 'my-lab', title: 'My lab', source: 'user' });
    expect(cli(agent, ['templates']).stdout).toMatch(/my-lab\s+dev\s+My lab \(saved: starts from snapshot sn-\w+\)/);
    const started = json<PlaygroundRecord>(['start', 'my-lab']);
    expect(started).toMatchObject({ template: 'my-lab', forkOf: saved.snapshot, state: 'running' });
    expect(run(started.id, 'greeter; cat /root/notes.txt')).toBe('hello from greeter\nfork zero\n');
    const inUse = cli(agent, ['snapshots', 'rm', saved.snapshot!]);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr.trim()).toBe(
      `sandlot: snapshot ${saved.snapshot} is used by playground ${started.id} and template my-lab; remove them first (sandlot destroy, sandlot templates rm)`,
    );
    expect(cli(agent, ['destroy', started.id]).code).toBe(0);
    expect(cli(agent, ['templates', 'rm', 'my-lab']).stdout).toBe('template my-lab removed\n');
    expect(cli(agent, ['templates']).stdout).not.toMatch(/my-lab/);
    // Made for the template, gone with it.
    expect(json<SnapshotRecord[]>(['snapshots']).map((s) => s.id)).not.toContain(saved.snapshot);
    expect(cli(agent, ['templates', 'rm', 'linux']).stderr.trim()).toMatch(/^sandlot: "linux" is a built-in template; only your own templates/);
  });

  it('refuses a snapshot damaged on purpose, and starts nothing', () => {
    expect(cli(agent, ['snapshot', original.id, '--name', 'dmg']).code).toBe(0);
    const dmg = json<SnapshotRecord[]>(['snapshots']).find((s) => s.name === 'dmg');
    if (!dmg) throw new Error('no snapshot named dmg');
    const notes = path.join(agent.home, 'snapshots', dmg.id, 'machines', 'dev', 'layers', '0', 'root', 'notes.txt');
    const text = fs.readFileSync(notes, 'utf8');
    fs.writeFileSync(notes, text.toUpperCase());
    const count = json<PlaygroundRecord[]>(['list']).length;
    const r = cli(agent, ['fork', 'dmg']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `sandlot: snapshot ${dmg.id} is damaged: its files are not what it recorded (machines/dev/layers/0/root/notes.txt changed content); it cannot be forked (delete it with: sandlot snapshots rm ${dmg.id})`,
    );
    expect(json<PlaygroundRecord[]>(['list'])).toHaveLength(count);
    expect(cli(agent, ['snapshots', 'rm', 'dmg']).code).toBe(0);
  });

  it('keeps forks working when the original is destroyed', () => {
    expect(cli(agent, ['destroy', original.id]).code).toBe(0);
    expect(run(forks[1].id, 'cat /etc/installed-tools')).toBe('greeter 1.0\n');
    expect(cli(agent, ['snapshots', 'rm', 'base']).stderr).toMatch(/is used by playgrounds pg-\w+, pg-\w+;/);
  });

  it('leaves nothing behind once every fork is destroyed and the snapshot deleted', async () => {
    for (const f of forks) expect(cli(agent, ['destroy', f.id]).code).toBe(0);
    expect(cli(agent, ['snapshots', 'rm', 'base']).code).toBe(0);
    expect(fs.readdirSync(path.join(agent.home, 'snapshots'))).toEqual([]);
    expect(cli(agent, ['snapshots']).stdout).toMatch(/^No snapshots/);
    await agent.kill();
    const left = await waitForNoLeaks(before);
    expect(left, JSON.stringify(left)).toEqual({});
  });
});
