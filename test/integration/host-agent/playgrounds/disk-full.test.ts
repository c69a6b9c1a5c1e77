// A full disk under SANDLOT_HOME (a small tmpfs, filled from the host: a machine's own
// writes go to its data disk and cannot fill the agent's): every change the agent cannot write is refused with
// state_not_saved and not applied, every record on disk matches what `list` shows, no
// state sticks at a transitional one, nothing half-made is left, and after space comes
// back everything works again, also across an agent restart, without error lines.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentApiError } from '../../../../host-agent/api/client';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { destroyAllAndStop, startAgent, startPlayground, type AgentHandle } from '../../../helpers/agent-process';

const isRoot = process.getuid?.() === 0;
const TRANSITIONAL = ['provisioning', 'starting', 'stopping', 'destroying'];

let mount: string;
let agent: AgentHandle;

beforeAll(async () => {
  if (!isRoot) return;
  mount = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-fulldisk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0700', 'sandlot-fulldisk', mount], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount tmpfs: ${r.stderr}`);
  agent = await startAgent({ home: mount });
});

afterAll(async () => {
  if (!isRoot) return;
  if (agent) {
    freeSpace();
    await destroyAllAndStop(agent);
  }
  // Processes of destroyed machines may take a moment to let go of the file system.
  for (let i = 0; i < 50 && spawnSync('umount', [mount]).status !== 0; i++) await new Promise((r) => setTimeout(r, 200));
  if (spawnSync('mountpoint', ['-q', mount]).status === 0) spawnSync('umount', ['--lazy', mount]);
  fs.rmSync(mount, { recursive: true, force: true });
});

/** State and deadline of the record each playground directory holds on disk. */
function onDisk(): Record<string, { state: string; deadline: string }> {
  const dir = path.join(mount, 'playgrounds');
  const out: Record<string, { state: string; deadline: string }> = {};
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name, 'record.json');
    if (!fs.existsSync(file)) continue;
    const r: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof r !== 'object' || r === null || !('state' in r) || !('deadline' in r) || typeof r.state !== 'string' || typeof r.deadline !== 'string') {
      throw new Error(`${file}: not a playground record`);
    }
    out[name] = { state: r.state, deadline: r.deadline };
  }
  return out;
}

/** What `list` shows matches the records on disk, state and deadline, and nothing is in between states. */
async function expectListMatchesDisk(): Promise<PlaygroundRecord[]> {
  const list = await agent.client.list();
  const disk = onDisk();
  expect(Object.keys(disk).sort()).toEqual(list.map((p) => p.id).sort());
  for (const p of list) {
    expect(TRANSITIONAL).not.toContain(p.state);
    expect({ id: p.id, state: p.state, deadline: p.deadline }).toEqual({ id: p.id, state: disk[p.id].state, deadline: disk[p.id].deadline });
  }
  return list;
}

function freeSpace(): void {
  for (const f of spawnSync('find', [mount, '-name', 'filler-*', '-type', 'f'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) fs.rmSync(f);
}

async function refused(p: Promise<unknown>): Promise<AgentApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentApiError);
  if (!(err instanceof AgentApiError)) throw new Error('unreachable');
  expect(err.code).toBe('state_not_saved');
  expect(err.status).toBe(507);
  expect(err.message).toMatch(/cannot write the state of pg-\w+ \(ENOSPC: /);
  expect(err.message.split('\n')).toHaveLength(1);
  return err;
}

describe.runIf(isRoot)('a full disk under SANDLOT_HOME', () => {
  let a: PlaygroundRecord;

  it('refuses what it cannot record and shows only what is on disk', { timeout: 120_000 }, async () => {
    a = await startPlayground(agent);
    // Something else on the host fills the file system the agent keeps its state on.
    const fill = spawnSync('dd', ['if=/dev/zero', `of=${path.join(mount, 'filler-1')}`, 'bs=1M'], { encoding: 'utf8' });
    expect(fill.stderr).toMatch(/No space left on device/);

    const before = (await agent.client.get(a.id)).deadline;
    const extend = await refused(agent.client.extend(a.id, 60));
    expect(extend.message).toMatch(/the lifetime was not extended/);
    expect((await agent.client.get(a.id)).deadline).toBe(before);

    const create = await refused(agent.client.create({ template: 'linux' }));
    expect(create.message).toMatch(/nothing was made/);
    // Nothing half-made: no directory, no record.
    expect(fs.readdirSync(path.join(mount, 'playgrounds')).filter((n) => n !== a.id)).toEqual([]);

    for (const op of ['stop', 'restart', 'start'] as const) {
      await agent.client[op](a.id).then(
        (r) => expect(TRANSITIONAL).not.toContain(r.state),
        (err: unknown) => expect(err instanceof AgentApiError && err.code).toBe('state_not_saved'),
      );
      await expectListMatchesDisk();
    }
    expect(agent.process.exitCode).toBeNull();
  });

  it('works again once there is space, also after an agent restart, with no error in the log', { timeout: 120_000 }, async () => {
    freeSpace();
    const current = await agent.client.get(a.id);
    // Whatever the failed operations left of the machines, a restart brings them back.
    expect((await agent.client.restart(a.id)).state).toBe('running');
    const extended = await agent.client.extend(a.id, 30);
    expect(Date.parse(extended.deadline)).toBeGreaterThan(Date.parse(current.deadline));
    const b = await startPlayground(agent);
    await expectListMatchesDisk();

    const logged = agent.log().split('\n').length - 1;
    await agent.kill();
    agent = await startAgent({ home: mount });
    const list = await expectListMatchesDisk();
    expect(list.map((p) => [p.id, p.state])).toEqual(
      expect.arrayContaining([
        [a.id, 'running'],
        [b.id, 'running'],
      ]),
    );
    // The restarted agent found nothing to complain about.
    expect(
      agent
        .log()
        .split('\n')
        .slice(logged)
        .filter((l) => / (error|warn) /.test(l)),
    ).toEqual([]);
  });
});
