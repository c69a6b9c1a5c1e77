// The warm pool on the docker driver in the real agent and CLI: `--warm docker=2` fills
// in the background, `sandlot start docker` hands out a member whose machines answer
// OpenSSH (strict host key checking) with a host key of their own — different from every
// other handed-out playground's and from what the member was made with — and hold the
// new playground key; the pool refills; `sandlot run` takes from it too; `--warm-memory` bounds it; nothing of the pool
// (containers, networks, volumes) outlives a stopped agent, nor a killed one once the
// next agent has started; a member whose container died or whose sshd stopped answering
// in the pool is never handed out (the user still gets a working playground, the pool
// refills).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAlias, type PlaygroundRecord, type WarmPoolInfo } from '../../../../../host-agent/api/protocol';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { readOwnJson } from '../../../../../host-agent/util/json';
import { cli, openssh, printed, startAgent, tempHome, until, writeSshConfig, type AgentHandle } from '../../../../helpers/agent-process';
import { playgroundLeftovers, removePlaygroundLeftovers, startTestEngine, type TestEngine } from './helpers';

describe('warm pool (docker driver)', () => {
  let engine: TestEngine;
  let home: string;
  let agent: AgentHandle | undefined;
  /** Every playground id that appeared in the agent's state directory: pool members and handed-out ones. */
  const seen = new Set<string>();
  let watcher: NodeJS.Timeout | undefined;

  const playgroundsDir = () => path.join(home, 'playgrounds');
  const watch = () => {
    for (const name of fs.existsSync(playgroundsDir()) ? fs.readdirSync(playgroundsDir()) : []) if (/^pg-[a-z0-9]+$/.test(name)) seen.add(name);
  };
  const pool = async (a: AgentHandle): Promise<WarmPoolInfo> => {
    const info = await a.client.info();
    if (!info.warmPool) throw new Error('the agent reports no warm pool');
    return info.warmPool;
  };
  /** Ready members of the (only) template; undefined while the agent is still starting (no pool yet). */
  const readyCount = async (a: AgentHandle) => (await a.client.info()).warmPool?.templates[0]?.ready;
  const untilReady = (a: AgentHandle, n: number, what: string) => until(what, async () => ((await readyCount(a)) === n ? true : undefined), 240_000);
  const members = () =>
    fs
      .readdirSync(playgroundsDir())
      .filter((n) => fs.existsSync(path.join(playgroundsDir(), n, 'pool.json')))
      .map((id) => ({
        id,
        keys: readOwnJson<{ userKey: { publicKey: string }; hostKeys: Record<string, { publicKey: string }> }>(
          path.join(playgroundsDir(), id, 'keys', 'keys.json'),
        ),
      }));
  /** What the engine still holds for these playgrounds. */
  const leftovers = (ids: Iterable<string>) => playgroundLeftovers(engine.docker, ids);
  const agentWith = (args: string[]) => startAgent({ home, args: ['--driver', 'docker', ...args], env: { DOCKER_HOST: engine.dockerHost } });

  beforeAll(async () => {
    engine = await startTestEngine();
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-test-'));
    const driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    for (const image of ['linux', 'docker', 'registry']) await driver.images.ensure(image);
    fs.rmSync(stateHome, { recursive: true, force: true });
    home = tempHome('sandlot-warm-pool-');
    watcher = setInterval(watch, 20);
  }, 900_000);

  afterAll(async () => {
    if (watcher) clearInterval(watcher);
    await agent?.kill();
    // Whatever a failed test left goes too.
    await removePlaygroundLeftovers(engine.docker, seen);
    await engine?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 180_000);

  it('fills, hands out playgrounds with identities of their own, refills, and leaves nothing when the agent stops', async () => {
    agent = await agentWith(['--warm', 'docker=2']);
    await untilReady(agent, 2, 'two warm docker playgrounds');
    expect(await pool(agent)).toMatchObject({
      budgetBytes: 4 * 1024 ** 3,
      heldBytes: 4 * 1024 ** 3,
      templates: [{ template: 'docker', driver: 'docker', wanted: 2 }],
    });
    const status = cli(agent, ['status']);
    expect(status.stdout).toContain('warm pool: holds 4GiB of 4GiB');
    expect(status.stdout).toContain('  docker (docker): 2/2 ready, 2GiB each');
    expect(printed<PlaygroundRecord[]>(cli(agent, ['list', '--json']).stdout)).toEqual([]);
    const made = new Map(members().map((m) => [m.id, m.keys]));
    expect(made.size).toBe(2);

    const handed: PlaygroundRecord[] = [];
    for (let i = 0; i < 2; i++) {
      const r = cli(agent, ['start', 'docker', '--json']);
      expect(r.code, r.stderr).toBe(0);
      handed.push(printed<PlaygroundRecord>(r.stdout));
    }
    const hostKeys: string[] = [];
    for (const pg of handed) {
      const before = made.get(pg.id);
      expect(before, `${pg.id} came from the pool`).toBeDefined();
      expect(pg.state).toBe('running');
      expect(pg.userPublicKey).not.toBe(before!.userKey.publicKey);
      expect(pg.machines[0].hostKey).not.toBe(before!.hostKeys.dev.publicKey);
      hostKeys.push(pg.machines[0].hostKey, before!.hostKeys.dev.publicKey);
      // Strict host key checking against the record: the machine serves its new host key, and takes the new user key.
      const config = writeSshConfig(agent, pg.id);
      const out = openssh(config, hostAlias(pg.id, 'dev'), 'hostname; cat /etc/sandlot/authorized_keys ~/.ssh/id_ed25519.pub; cat ~/.ssh/known_hosts', [
        '-l',
        'laborant',
      ]);
      expect(out.stderr).toBe('');
      const [hostname, authorized, ownKey, known] = out.stdout.trim().split('\n');
      expect(hostname).toBe('dev');
      expect(authorized.trim()).toBe(pg.userPublicKey.trim());
      expect(ownKey.trim()).toBe(pg.userPublicKey.trim());
      expect(known).toBe(`dev ${pg.machines[0].hostKey.split(/\s+/).slice(0, 2).join(' ')}`);
    }
    // Two handed out, each with its old and new host key: four different keys.
    expect(new Set(hostKeys.map((k) => k.split(/\s+/)[1])).size).toBe(4);
    expect(new Set(handed.map((p) => p.userPublicKey)).size).toBe(2);
    expect(
      printed<PlaygroundRecord[]>(cli(agent, ['list', '--json']).stdout)
        .map((p) => p.id)
        .sort(),
    ).toEqual(handed.map((p) => p.id).sort());

    await untilReady(agent, 2, 'refilled');
    // `sandlot run` takes from the pool too, and its playground goes afterwards.
    const warmIds = new Set(members().map((m) => m.id));
    const run = cli(agent, ['run', 'docker', '--json', '--', 'hostname']);
    expect(run.code, run.stderr).toBe(0);
    const ran = printed<{ playground: PlaygroundRecord; exitCode: number; stdout: string }>(run.stdout);
    expect(ran).toMatchObject({ exitCode: 0, stdout: 'dev\n' });
    expect(warmIds.has(ran.playground.id)).toBe(true);
    // The run answers once the destroy is recorded; the engine's objects go right after.
    await until('the run playground destroyed', async () => ((await leftovers([ran.playground.id])).length === 0 ? true : undefined), 60_000);
    await untilReady(agent, 2, 'refilled again');
    for (const pg of handed) expect(cli(agent, ['destroy', pg.id]).code).toBe(0);
    await agent.kill();
    agent = undefined;
    watch();
    expect(seen.size).toBe(5);
    expect(await leftovers(seen)).toEqual([]);
    expect(fs.readdirSync(playgroundsDir())).toEqual([]);
  }, 900_000);

  it('keeps what --warm-memory allows (one 2 GiB machine), and a killed agent’s members go at the next start', async () => {
    agent = await agentWith(['--warm', 'docker=2', '--warm-memory', '2GiB']);
    await untilReady(agent, 1, 'one warm docker playground');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await pool(agent)).toMatchObject({ budgetBytes: 2 * 1024 ** 3, heldBytes: 2 * 1024 ** 3, templates: [{ wanted: 2, ready: 1, filling: 0 }] });
    expect(members()).toHaveLength(1);
    const left = members().map((m) => m.id);

    await agent.kill('SIGKILL');
    expect(await leftovers(left)).not.toEqual([]);
    agent = await agentWith([]);
    await agent.client.list();
    expect(await leftovers(left)).toEqual([]);
    expect(agent.log()).toContain(`${left[0]}: removed a warm pool member (docker) the last agent left`);
    expect(cli(agent, ['status']).stdout).not.toContain('warm pool');
    await agent.kill();
    agent = undefined;
    watch();
    expect(await leftovers(seen)).toEqual([]);
  }, 600_000);

  it('never hands out a member whose container was killed or whose sshd stopped answering: the start works, the pool refills', async () => {
    agent = await agentWith(['--warm', 'linux=2']);
    await untilReady(agent, 2, 'two warm linux playgrounds');
    const [killed, hung] = members().map((m) => m.id);
    // Behind the agent's back: one member's container is killed, the other's sshd is frozen (the container runs, nothing answers).
    await engine.docker.getContainer(`sandlot-${killed}-dev`).kill();
    const frozen = await engine.docker.getContainer(`sandlot-${hung}-dev`).exec({ Cmd: ['pkill', '-STOP', '-x', 'sshd'] });
    await frozen.start({ hijack: true, stdin: false });
    await until('sshd frozen', async () => ((await frozen.inspect()).Running ? undefined : true));

    const r = cli(agent, ['start', 'linux', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pg = printed<PlaygroundRecord>(r.stdout);
    expect([killed, hung]).not.toContain(pg.id);
    expect(openssh(writeSshConfig(agent, pg.id), hostAlias(pg.id, 'dev'), 'hostname').stdout).toBe('dev\n');
    for (const id of [killed, hung]) expect(agent.log()).toContain(`${id}: a warm linux playground could not be handed out, so it is destroyed`);
    expect(agent.log()).toMatch(/machine dev does not answer: no SSH banner/);

    await untilReady(agent, 2, 'refilled with new members');
    const fresh = members().map((m) => m.id);
    expect(fresh).not.toContain(killed);
    expect(fresh).not.toContain(hung);
    expect(await leftovers([killed, hung])).toEqual([]);
    // And the refilled pool hands out as before.
    const next = cli(agent, ['start', 'linux', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(fresh).toContain(printed<PlaygroundRecord>(next.stdout).id);
    for (const id of [pg.id, printed<PlaygroundRecord>(next.stdout).id]) expect(cli(agent, ['destroy', id]).code).toBe(0);
    await agent.kill();
    agent = undefined;
    watch();
    expect(await leftovers(seen)).toEqual([]);
  }, 600_000);

  it('gives every machine of a handed-out multi-machine playground the new keys: ssh between them with strict host keys', async () => {
    agent = await agentWith(['--warm', 'linux-multi=1']);
    await untilReady(agent, 1, 'a warm linux-multi playground');
    const member = members()[0];
    const r = cli(agent, ['start', 'linux-multi', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pg = printed<PlaygroundRecord>(r.stdout);
    expect(pg.id).toBe(member.id);
    for (const m of pg.machines) expect(m.hostKey).not.toBe(member.keys.hostKeys[m.name].publicKey);
    const config = writeSshConfig(agent, pg.id);
    const hop = (from: string, user: string, to: string) =>
      openssh(config, hostAlias(pg.id, from), `ssh -o BatchMode=yes -o StrictHostKeyChecking=yes ${to} 'whoami; hostname'`, ['-l', user]);
    const root = hop('node-01', 'root', 'node-02');
    expect(root.stderr).not.toMatch(/Host key verification failed|Permission denied/);
    expect(root.stdout.trim().split('\n')).toEqual(['root', 'node-02']);
    expect(hop('node-03', 'laborant', 'node-01').stdout.trim().split('\n')).toEqual(['laborant', 'node-01']);
    expect(
      openssh(config, hostAlias(pg.id, 'node-02'), 'stat -c %U ~/.ssh/id_ed25519 ~/.ssh/known_hosts', ['-l', 'laborant']).stdout.trim().split('\n'),
    ).toEqual(['laborant', 'laborant']);
    expect(cli(agent, ['destroy', pg.id]).code).toBe(0);
    await agent.kill();
    agent = undefined;
    watch();
    expect(await leftovers(seen)).toEqual([]);
  }, 600_000);
});
