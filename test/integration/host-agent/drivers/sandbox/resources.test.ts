// cpuCount and ramSize on the sandbox driver, through the real agent: a 64 MiB machine
// has a process that allocates 300 MB killed (a 1 GiB one does not), a 1-CPU machine is
// throttled to about one core, every process started in a machine is in its cgroup, the
// cgroups outlive an agent SIGKILL and go away on stop and destroy. Where the host has no
// usable cgroups, the playground still starts and the agent and doctor say why.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareCgroupLayout, releaseLayout } from '../../../../../host-agent/drivers/sandbox/cgroups';
import { readOwnJson } from '../../../../../host-agent/util/json';
import { CLI, cli, startAgent, tempHome, waitForState, type AgentHandle } from '../../../../helpers/agent-process';

const probe = prepareCgroupLayout();
releaseLayout(probe);
const isRoot = process.getuid?.() === 0;
const skipReason = !isRoot ? 'the tests run as a normal user' : probe.kind === 'none' ? probe.reason : undefined;
if (skipReason) console.warn(`sandbox resource enforcement tests skipped: ${skipReason}`);

const MANIFEST = `kind: playground
name: limits
playground:
  machines:
    - name: small
      resources: { cpuCount: 1, ramSize: 64Mi }
    - name: big
      resources: { cpuCount: 2, ramSize: 1Gi }
`;
// tail keeps a line until it ends: 300 MB without a newline are held in its memory.
const HOG = 'head -c 300M /dev/zero | tail -n 1 | wc -c';

const agents: AgentHandle[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) {
    for (const p of await a.client.list().catch(() => [])) await a.client.destroy(p.id).catch(() => undefined);
    await a.kill();
  }
});

async function agentWith(opts: Parameters<typeof startAgent>[0] = {}): Promise<AgentHandle> {
  const a = await startAgent(opts);
  agents.push(a);
  return a;
}

async function run(agent: AgentHandle, id: string, machine: string, command: string): Promise<{ code: number | null; out: string }> {
  let out = '';
  const exit = await agent.client.exec(id, machine, { command }, (c) => {
    if (c.type === 'stdout' || c.type === 'stderr') out += Buffer.from(c.data, 'base64').toString();
  });
  return { code: exit.code, out };
}

function machineCgroups(agent: AgentHandle, id: string, machine: string): string[] {
  const state = readOwnJson<{ machines: Record<string, { cgroups?: string[] } | undefined> }>(
    path.join(agent.home, 'playgrounds', id, 'driver', 'sandbox.json'),
  );
  return state.machines[machine]?.cgroups ?? [];
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8').trim();
const leafWith = (leaves: string[], file: string) => leaves.find((l) => fs.existsSync(path.join(l, file)));

/** CPU time used by a machine's cgroup, in seconds. */
function cpuSeconds(leaves: string[]): number {
  const acct = leafWith(leaves, 'cpuacct.usage');
  if (acct) return Number(read(acct, 'cpuacct.usage')) / 1e9;
  const stat = read(leafWith(leaves, 'cpu.stat')!, 'cpu.stat');
  return Number(/usage_usec (\d+)/.exec(stat)![1]) / 1e6;
}

const throttled = (leaves: string[]) => Number(/nr_throttled (\d+)/.exec(read(leafWith(leaves, 'cpu.stat')!, 'cpu.stat'))![1]);

function oomKills(leaves: string[]): number {
  const v1 = leafWith(leaves, 'memory.oom_control');
  const text = v1 ? read(v1, 'memory.oom_control') : read(leafWith(leaves, 'memory.events')!, 'memory.events');
  return Number(/oom_kill (\d+)/.exec(text)?.[1] ?? 0);
}

describe.skipIf(!!skipReason)('sandbox machine resources (cgroups)', () => {
  it('kills what outgrows ramSize, throttles to cpuCount, and keeps the cgroups across an agent SIGKILL until stop/destroy', async () => {
    const first = await agentWith();
    expect((await first.client.info()).isolation).toMatch(/cpu and memory limited per machine with cgroup v[12]/);
    const created = await first.client.create({ manifest: MANIFEST, manifestName: 'limits.yaml' });
    const id = (await waitForState(first.client, created.id, 'running')).id;
    const small = machineCgroups(first, id, 'small');
    expect(small.length).toBeGreaterThan(0);
    for (const leaf of small) expect(leaf).toMatch(new RegExp(`/sandlot/${id}/small$`));
    const memLeaf = leafWith(small, 'memory.max') ?? leafWith(small, 'memory.limit_in_bytes')!;
    expect(read(memLeaf, fs.existsSync(path.join(memLeaf, 'memory.max')) ? 'memory.max' : 'memory.limit_in_bytes')).toBe(String(64 * 1024 ** 2));

    // Processes the agent starts in the machine (here an exec) are in its cgroup, not the agent's.
    const own = await run(first, id, 'small', 'cat /proc/self/cgroup');
    expect(own.out).toContain(`/sandlot/${id}/small`);
    // So is the machine's own PID 1, and what it starts: born inside (its setup joined first), every hierarchy.
    const init = await run(first, id, 'small', 'cat /proc/1/cgroup');
    const inLeaf = (text: string) => text.split('\n').filter((l) => l.endsWith(`/sandlot/${id}/small`)).length;
    expect(inLeaf(init.out)).toBe(inLeaf(own.out));
    expect(inLeaf(init.out)).toBeGreaterThan(0);

    const killed = await run(first, id, 'small', `${HOG}; echo "status \${PIPESTATUS[1]}"`);
    expect(killed.out).toMatch(/status 137\n$/); // 128 + SIGKILL
    expect(oomKills(small)).toBeGreaterThan(0);
    const fine = await run(first, id, 'big', HOG);
    expect(fine).toEqual({ code: 0, out: `${300 * 1024 ** 2}\n` });

    // Busy loops for 2 s in a 1-CPU machine of a 2-core host: about one core at most.
    const cpuLeaf = leafWith(small, 'cpu.max') ?? leafWith(small, 'cpu.cfs_quota_us')!;
    expect(read(cpuLeaf, fs.existsSync(path.join(cpuLeaf, 'cpu.max')) ? 'cpu.max' : 'cpu.cfs_quota_us')).toMatch(/^100000( 100000)?$/);
    const before = { cpu: cpuSeconds(small), throttled: throttled(small), at: Date.now() };
    const busy = await run(first, id, 'small', 'for i in 1 2 3; do (while :; do :; done) & done; sleep 2; kill $(jobs -p)');
    expect(busy.code).toBe(0);
    const cores = (cpuSeconds(small) - before.cpu) / ((Date.now() - before.at) / 1000);
    expect(cores).toBeLessThanOrEqual(1.2);
    expect(cores).toBeGreaterThan(0.2); // the loops did run
    // On a host busy with other work the machine may not even get one core (its cgroup
    // competes as one task): then the quota never bites and there is nothing to throttle.
    if (cores > 0.9) expect(throttled(small)).toBeGreaterThan(before.throttled);
    else console.warn(`host busy: the 1-CPU machine got ${cores.toFixed(2)} cores, so its throttling was not checked`);

    // A new agent adopts the running machines; what it starts in them still joins the cgroup.
    await first.kill('SIGKILL');
    const second = await agentWith({ home: first.home });
    expect((await second.client.get(id)).state).toBe('running');
    expect(machineCgroups(second, id, 'small')).toEqual(small);
    expect((await run(second, id, 'small', 'cat /proc/self/cgroup')).out).toContain(`/sandlot/${id}/small`);
    expect((await run(second, id, 'small', `${HOG}; echo "status \${PIPESTATUS[1]}"`)).out).toMatch(/status 137\n$/);

    const big = machineCgroups(second, id, 'big');
    await second.client.stop(id);
    for (const leaf of [...small, ...big]) expect(fs.existsSync(leaf)).toBe(false);
    await second.client.start(id);
    const again = machineCgroups(second, id, 'small');
    expect(again.length).toBe(small.length);
    for (const leaf of again) expect(fs.existsSync(leaf)).toBe(true);
    expect((await run(second, id, 'small', `${HOG}; echo "status \${PIPESTATUS[1]}"`)).out).toMatch(/status 137\n$/);

    await second.client.destroy(id);
    for (const leaf of [...again, ...big]) {
      expect(fs.existsSync(leaf)).toBe(false);
      expect(fs.existsSync(path.dirname(leaf))).toBe(false); // the playground's cgroup too
    }
  });
});

describe('sandbox machine resources without usable cgroups', () => {
  it('starts the playground anyway; the agent log (once) and doctor say cpu/ram are not enforced and why', async () => {
    const empty = tempHome('sandlot-no-cgroups-');
    const agent = await agentWith({ env: { SANDLOT_CGROUP_ROOT: empty } });
    const reason = `no cgroup file system at ${empty}`;
    expect((await agent.client.info()).isolation).toContain(`cpu and memory are not limited: ${reason}`);
    for (let i = 0; i < 2; i++) {
      const created = await agent.client.create({ manifest: MANIFEST, manifestName: 'limits.yaml' });
      await waitForState(agent.client, created.id, 'running');
      expect((await run(agent, created.id, 'small', 'echo up')).out).toBe('up\n');
    }
    expect(
      agent
        .log()
        .split('\n')
        .filter((l) => l.includes('cpuCount and ramSize of machines are not enforced')).length,
    ).toBe(1);
    expect(agent.log()).toContain(`not enforced: ${reason}`);

    const doctor = cli(agent, ['doctor', 'sandbox']);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain('sandbox: usable');
    expect(doctor.stdout).toContain(`WARN cpu/ram limits: not enforced: ${reason}`);
    expect(doctor.stdout).toMatch(/fix: run the agent as root/);
  });

  const UID = 65534;
  const readable = isRoot && spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', 'test', '-r', CLI]).status === 0;
  it.skipIf(!readable)('doctor run as a normal user says the limits are not enforced because it is not root', () => {
    const home = tempHome();
    fs.chownSync(home, UID, UID);
    const r = spawnSync(
      'setpriv',
      [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', 'env', `SANDLOT_HOME=${home}`, process.execPath, CLI, 'doctor', 'sandbox'],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toMatch(/WARN cpu\/ram limits: not enforced: .*\(the agent runs as uid 65534, not root\)/);
  });
});
