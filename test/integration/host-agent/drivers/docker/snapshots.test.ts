// Snapshots and forks with the docker driver, as a user gets them: the real `sandlot` CLI
// against a real agent (`--driver docker`) on a real Docker engine, real SSH into the
// machines. A machine gets files and a tool installed; a snapshot (each container
// committed into a Sandlot-labelled image) forks twice; each fork sees the state and
// changes on its own, the original stays as it was; every fork has its own host key and
// playground key pair; what was pushed to the playground registry is in every fork's; a
// snapshot whose image was removed is refused before anything starts; forks outlive the
// original; nothing is left on the engine once all is gone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord, SnapshotRecord } from '../../../../../host-agent/api/protocol';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { cli, cliJson, sshOutput, startAgent, tempHome, type AgentHandle } from '../../../../helpers/agent-process';
import { playgroundLeftovers, removePlaygroundLeftovers, startTestEngine, type TestEngine } from './helpers';

const INSTALL = [
  'mkdir -p /opt/greeter/lib',
  "printf 'hello from greeter\\n' > /opt/greeter/lib/message",
  "printf '#!/bin/sh\\ncat /opt/greeter/lib/message\\n' > /usr/local/bin/greeter",
  'chmod 755 /usr/local/bin/greeter',
  'echo "greeter 1.0" >> /etc/installed-tools',
  'echo notes > /root/notes.txt',
  'echo ok',
].join(' && ');

// A blob pushed to the playground registry with its HTTP API (two-step upload), as any
// client pushes one; its digest is printed.
const PUSH_BLOB = [
  'for i in $(seq 50); do curl -s -o /dev/null http://registry.sandlot.local/v2/ && break; sleep 0.2; done',
  "printf 'pushed before the snapshot\\n' > /tmp/blob",
  'digest=sha256:$(sha256sum /tmp/blob | cut -d" " -f1)',
  "loc=$(curl -sf -D - -o /dev/null -X POST http://registry.sandlot.local/v2/demo/blobs/uploads/ | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')",
  'case "$loc" in /*) loc="http://registry.sandlot.local$loc" ;; esac',
  'case "$loc" in *\\?*) sep="&" ;; *) sep="?" ;; esac',
  'curl -sf -o /dev/null -X PUT -H "Content-Type: application/octet-stream" --data-binary @/tmp/blob "$loc${sep}digest=$digest"',
  'echo $digest',
].join(' && ');

/** What `sandlot ssh` prints of the blob from the playground's registry. */
const getBlob = (digest: string) =>
  `for i in $(seq 50); do curl -s -o /dev/null http://registry.sandlot.local/v2/ && break; sleep 0.2; done; curl -sf http://registry.sandlot.local/v2/demo/blobs/${digest}`;

/** What this test's playgrounds and snapshots hold on the engine (other users of the shared engine are not counted). */
async function engineObjects(docker: Docker, playgrounds: string[]): Promise<string[]> {
  const out = await playgroundLeftovers(docker, playgrounds);
  const snapshots = JSON.stringify({ label: ['sandlot.snapshot'] });
  out.push(
    ...(await docker.listImages({ filters: snapshots })).flatMap((i) =>
      (i.RepoTags ?? []).filter((t) => t.startsWith('sandlot-snapshot:')).map((t) => `image ${t}`),
    ),
  );
  out.push(...((await docker.listVolumes({ filters: snapshots })).Volumes ?? []).map((v) => `volume ${v.Name}`));
  out.push(...(await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['sandlot.role=copy'] }) })).map((c) => `container ${c.Names[0]}`));
  return out.sort();
}

// Two machines, one with a data volume: the volume's contents are part of the snapshot.
const WITH_VOLUME = `
kind: playground
name: vol-lab
playground:
  machines:
    - name: app
      drives:
        - { source: linux, mount: / }
        - { mount: /data, size: 1GiB }
    - name: peer
`;

describe('snapshots and forks with the docker driver', { timeout: 300_000 }, () => {
  let engine: TestEngine;
  let home: string;
  let agent: AgentHandle;
  let original: PlaygroundRecord;
  let snap: SnapshotRecord;
  let before: string[];
  let blob: string;
  const forks: PlaygroundRecord[] = [];
  const made: string[] = [];
  const run = (id: string, command: string) => sshOutput(agent, id, command);
  const json = <T>(args: string[]): T => cliJson<T>(agent, args);

  beforeAll(async () => {
    engine = await startTestEngine();
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-test-'));
    const driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    for (const image of ['linux', 'registry']) await driver.images.ensure(image);
    fs.rmSync(stateHome, { recursive: true, force: true });
    before = await engineObjects(engine.docker, []);
    home = tempHome('sandlot-docker-snap-');
    agent = await startAgent({ home, args: ['--driver', 'docker'], env: { DOCKER_HOST: engine.dockerHost } });
    original = json<PlaygroundRecord>(['start', 'linux']);
    made.push(original.id);
  }, 900_000);

  afterAll(async () => {
    if (agent) {
      for (const p of await agent.client.list().catch(() => [])) await agent.client.destroy(p.id).catch(() => undefined);
      for (const s of await agent.client.snapshots().catch(() => [])) await agent.client.deleteSnapshot(s.id).catch(() => undefined);
      await agent.kill();
    }
    // Whatever the agent could not remove (a test failed midway) goes too.
    if (engine) await removePlaygroundLeftovers(engine.docker, made);
    await engine?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 180_000);

  it('snapshots a running playground into a labelled image, and the playground keeps running', async () => {
    expect(original).toMatchObject({ driver: 'docker', state: 'running' });
    expect(run(original.id, INSTALL)).toBe('ok\n');
    blob = run(original.id, PUSH_BLOB).trim();
    expect(blob).toMatch(/^sha256:[0-9a-f]{64}$/);
    const r = cli(agent, ['snapshot', original.id, '--name', 'base']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ snapshot dev/);
    snap = json<SnapshotRecord[]>(['snapshots', original.id])[0];
    expect(snap).toMatchObject({ name: 'base', playground: original.id, driver: 'docker', state: 'ready' });
    const image = await engine.docker.getImage(`sandlot-snapshot:${snap.id}-dev`).inspect();
    expect(image.Config.Labels).toMatchObject({ 'sandlot.snapshot': snap.id, 'sandlot.machine': 'dev' });
    // Running again after the pause.
    expect((await engine.docker.getContainer(`sandlot-${original.id}-dev`).inspect()).State).toMatchObject({ Running: true, Paused: false });
    expect(run(original.id, 'greeter')).toBe('hello from greeter\n');
  });

  it('forks it twice: each fork has the state, its own host key and key pair, and changes of its own', () => {
    for (let i = 0; i < 2; i++) {
      forks.push(json<PlaygroundRecord>(['fork', 'base', '--name', `fork ${i}`]));
      made.push(forks[i].id);
    }
    expect(forks.map((f) => [f.state, f.forkOf, f.driver])).toEqual([
      ['running', snap.id, 'docker'],
      ['running', snap.id, 'docker'],
    ]);
    const all = [original, ...forks];
    expect(new Set(all.map((p) => p.machines[0].hostKey)).size).toBe(3);
    expect(new Set(all.map((p) => p.userPublicKey)).size).toBe(3);
    const key = (line: string) => line.trim().split(' ').slice(0, 2).join(' ');
    for (const p of all) {
      // What sshd serves and what the users' machine-to-machine key is: this playground's own (`sandlot ssh` checks the host key too).
      const [hostKey, userKey] = run(p.id, 'cat /etc/ssh/ssh_host_ed25519_key.pub /root/.ssh/id_ed25519.pub').trim().split('\n');
      expect(key(hostKey)).toBe(key(p.machines[0].hostKey));
      expect(key(userKey)).toBe(key(p.userPublicKey));
    }
    for (const f of forks) {
      expect(run(f.id, 'hostname; greeter; cat /etc/installed-tools /root/notes.txt')).toBe('dev\nhello from greeter\ngreeter 1.0\nnotes\n');
      // The playground registry's contents are part of the snapshot too.
      expect(run(f.id, getBlob(blob))).toBe('pushed before the snapshot\n');
    }
    run(forks[0].id, 'echo "fork zero" > /root/notes.txt');
    run(forks[1].id, 'rm /usr/local/bin/greeter');
    expect(run(forks[0].id, 'greeter; cat /root/notes.txt')).toBe('hello from greeter\nfork zero\n');
    expect(run(forks[1].id, 'cat /root/notes.txt; test -e /usr/local/bin/greeter || echo gone')).toBe('notes\ngone\n');
    expect(run(original.id, 'greeter; cat /root/notes.txt')).toBe('hello from greeter\nnotes\n');
  });

  it('refuses a snapshot whose image was removed from the engine, and starts nothing', async () => {
    expect(cli(agent, ['snapshot', original.id, '--name', 'dmg']).code).toBe(0);
    const dmg = json<SnapshotRecord[]>(['snapshots']).find((s) => s.name === 'dmg');
    if (!dmg) throw new Error('no snapshot named dmg');
    await engine.docker.getImage(`sandlot-snapshot:${dmg.id}-dev`).remove();
    const count = json<PlaygroundRecord[]>(['list']).length;
    const r = cli(agent, ['fork', 'dmg']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `sandlot: snapshot ${dmg.id} is damaged: image sandlot-snapshot:${dmg.id}-dev of machine dev is gone from the Docker engine; it cannot be forked (delete it with: sandlot snapshots rm ${dmg.id})`,
    );
    expect(json<PlaygroundRecord[]>(['list'])).toHaveLength(count);
    expect(cli(agent, ['snapshots', 'rm', 'dmg']).code).toBe(0);
  });

  it('keeps forks working when the original is destroyed', () => {
    expect(cli(agent, ['destroy', original.id]).code).toBe(0);
    expect(run(forks[1].id, 'cat /etc/installed-tools')).toBe('greeter 1.0\n');
    expect(run(forks[0].id, 'greeter')).toBe('hello from greeter\n');
  });

  it('copies data volumes into the snapshot and a saved template starts with them, on its own copy', () => {
    const file = path.join(home, 'vol-lab.yaml');
    fs.writeFileSync(file, WITH_VOLUME);
    const lab = json<PlaygroundRecord>(['start', '-f', file]);
    made.push(lab.id);
    run(lab.id, 'echo "data of the lab" > /data/state.txt');
    const saved = json<{ name: string; snapshot: string }>(['save', lab.id, '--as-template', 'vol-lab-saved']);
    const started = json<PlaygroundRecord>(['start', 'vol-lab-saved']);
    made.push(started.id);
    expect(started).toMatchObject({ template: 'vol-lab-saved', forkOf: saved.snapshot, driver: 'docker', state: 'running' });
    expect(started.machines.map((m) => m.name)).toEqual(['app', 'peer']);
    expect(run(started.id, 'cat /data/state.txt')).toBe('data of the lab\n');
    run(started.id, 'echo changed > /data/state.txt');
    expect(run(lab.id, 'cat /data/state.txt')).toBe('data of the lab\n');
    for (const id of [started.id, lab.id]) expect(cli(agent, ['destroy', id]).code).toBe(0);
    expect(cli(agent, ['templates', 'rm', 'vol-lab-saved']).code).toBe(0);
  });

  it('leaves nothing on the engine once every fork is destroyed and the snapshot deleted', async () => {
    for (const f of forks) expect(cli(agent, ['destroy', f.id]).code).toBe(0);
    expect(cli(agent, ['snapshots', 'rm', 'base']).code).toBe(0);
    expect(await engineObjects(engine.docker, made)).toEqual(before);
  });
});
