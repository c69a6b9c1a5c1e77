// The warm pool on the docker driver in the real agent and CLI: `--warm docker=2` fills
// in the background, `sandlot start docker` hands out a member whose machines answer
// OpenSSH (strict host key checking) with the host key and playground key made for that
// member alone — different from every other member's and handed-out playground's, also
// after the pool refilled — written into nothing at hand-out time (the agent log says
// so); the pool refills; `sandlot run` takes from it too; `--warm-memory` bounds it; nothing of the pool
// (containers, networks, volumes) outlives a stopped agent, nor a killed one once the
// next agent has started; a member whose container died or whose sshd stopped answering
// in the pool is never handed out (the user still gets a working playground, the pool
// refills), nor one made from an older version of its template.
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

  /** The keys a playground's record shows: its user key and every machine's host key (the key itself, without the comment). */
  const recordKeys = (pg: PlaygroundRecord) => ({ user: keyOf(pg.userPublicKey), hosts: pg.machines.map((m) => keyOf(m.hostKey)) });
  const keyOf = (line: string) => line.trim().split(/\s+/)[1];

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
    for (const pg of handed) {
      const member = made.get(pg.id);
      expect(member, `${pg.id} came from the pool`).toBeDefined();
      expect(pg.state).toBe('running');
      // The identity the member was made with, generated for it alone: nothing had to be written at hand-out.
      expect(recordKeys(pg)).toEqual({ user: keyOf(member!.userKey.publicKey), hosts: [keyOf(member!.hostKeys.dev.publicKey)] });
      expect(agent.log()).toMatch(
        new RegExp(`${pg.id}: handed out from the warm pool in \\d+ ms with the identity it was made with, nothing written into its machines`),
      );
      // Strict host key checking against the record: the machine serves the record's host key, and takes the record's user key.
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
    expect(
      printed<PlaygroundRecord[]>(cli(agent, ['list', '--json']).stdout)
        .map((p) => p.id)
        .sort(),
    ).toEqual(handed.map((p) => p.id).sort());

    await untilReady(agent, 2, 'refilled');
    // A hand-out from the refilled pool: a member made after the first two went, with keys of its own.
    const refilled = new Map(members().map((m) => [m.id, m.keys]));
    const third = cli(agent, ['start', 'docker', '--json']);
    expect(third.code, third.stderr).toBe(0);
    const pg3 = printed<PlaygroundRecord>(third.stdout);
    expect(refilled.has(pg3.id)).toBe(true);
    expect(handed.map((p) => p.id)).not.toContain(pg3.id);
    handed.push(pg3);
    expect(openssh(writeSshConfig(agent, pg3.id), hostAlias(pg3.id, 'dev'), 'hostname').stdout).toBe('dev\n');
    // No two hand-outs share a key, and none has a key of a member still waiting in the pool.
    await untilReady(agent, 2, 'refilled after the third');
    const waiting = members().map((m) => ({ user: keyOf(m.keys.userKey.publicKey), hosts: [keyOf(m.keys.hostKeys.dev.publicKey)] }));
    const all = [...handed.map(recordKeys), ...waiting];
    expect(new Set(all.map((k) => k.user)).size).toBe(all.length);
    expect(new Set(all.flatMap((k) => k.hosts)).size).toBe(all.length);

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
    expect(seen.size).toBe(6);
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

  it('gives every machine of a handed-out multi-machine playground a host key of its own: ssh between them with strict host keys', async () => {
    agent = await agentWith(['--warm', 'linux-multi=1']);
    await untilReady(agent, 1, 'a warm linux-multi playground');
    const member = members()[0];
    const r = cli(agent, ['start', 'linux-multi', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pg = printed<PlaygroundRecord>(r.stdout);
    expect(pg.id).toBe(member.id);
    // Every machine has the host key made for it with the member; each its own.
    for (const m of pg.machines) expect(keyOf(m.hostKey)).toBe(keyOf(member.keys.hostKeys[m.name].publicKey));
    expect(new Set(pg.machines.map((m) => keyOf(m.hostKey))).size).toBe(pg.machines.length);
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
  it('never hands out a member made from an older version of a template: the start makes the new one, the pool refills with it', async () => {
    const file = path.join(home, 'templates', 'warm-edit.yaml');
    const template = (version: string) =>
      [
        'kind: playground',
        'name: warm-edit',
        'playground:',
        '  machines:',
        '    - name: dev',
        '      image: linux',
        '      users: [{ name: root, default: true }]',
        '      startupFiles:',
        `        - { path: /root/version.txt, content: "${version}" }`,
        '',
      ].join('\n');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, template('one'));
    agent = await agentWith(['--warm', 'warm-edit=1']);
    await untilReady(agent, 1, 'a warm warm-edit playground');
    const [old] = members().map((m) => m.id);
    fs.writeFileSync(file, template('two'));
    // Listing the templates reads their files again.
    await agent.client.templates();
    const version = (pg: PlaygroundRecord) => openssh(writeSshConfig(agent!, pg.id), hostAlias(pg.id, 'dev'), 'cat /root/version.txt').stdout;

    const r = cli(agent, ['start', 'warm-edit', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pg = printed<PlaygroundRecord>(r.stdout);
    expect(pg.id).not.toBe(old);
    expect(version(pg)).toBe('two');
    expect(agent.log()).toContain(`${old}: a warm warm-edit playground was made from an older version of the template, so it is destroyed`);
    await until('the old member removed', async () => ((await leftovers([old])).length === 0 ? true : undefined), 60_000);
    await untilReady(agent, 1, 'refilled from the new version');
    const [fresh] = members().map((m) => m.id);
    const next = printed<PlaygroundRecord>(cli(agent, ['start', 'warm-edit', '--json']).stdout);
    expect(next.id).toBe(fresh);
    expect(version(next)).toBe('two');
    for (const id of [pg.id, next.id]) expect(cli(agent, ['destroy', id]).code).toBe(0);
    await agent.kill();
    agent = undefined;
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    watch();
    expect(await leftovers(seen)).toEqual([]);
  }, 600_000);
});
