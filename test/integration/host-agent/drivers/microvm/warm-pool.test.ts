// The warm pool on the microvm driver (QEMU, TCG here) in the real agent and CLI, kept
// small: `--warm linux=2 --warm-memory 1GiB` keeps one 1 GiB VM (the budget, not the
// count, bounds it); `sandlot start linux` hands it out with the host key and user key
// made for that member alone (OpenSSH with strict host key checking against the record);
// the pool refills; the second hand-out shares no key with the first; a member whose QEMU died in the pool is never handed
// out (the user gets a working machine and the pool refills); nothing is left running.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAlias, type PlaygroundRecord } from '../../../../../host-agent/api/protocol';
import { MicrovmDriver } from '../../../../../host-agent/drivers/microvm/driver';
import { readOwnJson } from '../../../../../host-agent/util/json';
import { cli, openssh, printed, startAgent, tempHome, until, waitForState, writeSshConfig, type AgentHandle } from '../../../../helpers/agent-process';
import { VM_CACHE, processesMentioning, readDriverState, vmEnv, removeVmHome } from './helpers';

interface MemberKeys {
  userKey: { publicKey: string };
  hostKeys: Record<string, { publicKey: string }>;
}

describe('warm pool (microvm driver)', () => {
  let home: string;
  let agent: AgentHandle | undefined;

  const playgroundsDir = () => path.join(home, 'playgrounds');
  const members = () =>
    fs
      .readdirSync(playgroundsDir())
      .filter((n) => fs.existsSync(path.join(playgroundsDir(), n, 'pool.json')))
      .map((id) => ({ id, keys: readOwnJson<MemberKeys>(path.join(playgroundsDir(), id, 'keys', 'keys.json')) }));
  const template = async () => (await agent!.client.info()).warmPool?.templates[0];
  const untilReady = (what: string) => until(what, async () => ((await template())?.ready === 1 ? true : undefined), 600_000);
  const keyOf = (line: string) => line.trim().split(/\s+/)[1];

  /** A hand-out whose VM serves the record's host key (strict checking) and holds the record's user key. */
  const startFromPool = (expectedId: string): PlaygroundRecord => {
    const r = cli(agent!, ['start', 'linux', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pg = printed<PlaygroundRecord>(r.stdout);
    expect(pg.id).toBe(expectedId);
    expect(pg.state).toBe('running');
    const out = openssh(
      writeSshConfig(agent!, pg.id),
      hostAlias(pg.id, 'dev'),
      'hostname; cat /etc/hostname /etc/sandlot/authorized_keys ~/.ssh/id_ed25519.pub',
      ['-l', 'laborant'],
    );
    expect(out.stderr).toBe('');
    const [hostname, etcHostname, authorized, ownKey] = out.stdout.trim().split('\n');
    expect([hostname, etcHostname]).toEqual(['dev', 'dev']);
    expect(keyOf(authorized)).toBe(keyOf(pg.userPublicKey));
    expect(keyOf(ownKey)).toBe(keyOf(pg.userPublicKey));
    return pg;
  };

  beforeAll(async () => {
    await new MicrovmDriver({ stateHome: VM_CACHE, cacheDir: VM_CACHE }).images.ensure('linux');
    home = tempHome('sandlot-vm-warm-');
    agent = await startAgent({ home, args: ['--driver', 'microvm', '--warm', 'linux=2', '--warm-memory', '1GiB'], env: vmEnv() });
  }, 900_000);

  afterAll(async () => {
    await agent?.kill();
    removeVmHome(home);
  }, 120_000);

  it('keeps what the budget allows, hands out VMs with identities of their own, refills, and replaces a member whose VM died', async () => {
    // The first member also makes the 1 GiB snapshot on a fresh cache (one cold boot under TCG).
    await untilReady('one warm linux VM');
    await new Promise((r) => setTimeout(r, 2000));
    expect((await agent!.client.info()).warmPool).toMatchObject({
      budgetBytes: 1024 ** 3,
      heldBytes: 1024 ** 3,
      templates: [{ template: 'linux', driver: 'microvm', wanted: 2, ready: 1, filling: 0 }],
    });
    const [first] = members();
    expect(members()).toHaveLength(1);

    const a = startFromPool(first.id);
    // The identity the member was made with: nothing was written into the VM at hand-out.
    expect(keyOf(a.userPublicKey)).toBe(keyOf(first.keys.userKey.publicKey));
    expect(keyOf(a.machines[0].hostKey)).toBe(keyOf(first.keys.hostKeys.dev.publicKey));
    expect(agent!.log()).toContain(`${a.id}: handed out from the warm pool in `);
    expect(cli(agent!, ['destroy', a.id]).code).toBe(0);

    await untilReady('refilled');
    const [second] = members();
    expect(second.id).not.toBe(first.id);
    const b = startFromPool(second.id);
    expect(keyOf(b.userPublicKey)).toBe(keyOf(second.keys.userKey.publicKey));
    expect(keyOf(b.userPublicKey)).not.toBe(keyOf(a.userPublicKey));
    expect(keyOf(b.machines[0].hostKey)).not.toBe(keyOf(a.machines[0].hostKey));
    expect(cli(agent!, ['destroy', b.id]).code).toBe(0);

    // A member whose QEMU is killed behind the agent's back is not handed out: the start is a cold one and works; the pool refills.
    await untilReady('refilled again');
    const [dead] = members();
    const vm = readDriverState(home, dead.id).machines.dev.vm!;
    process.kill(vm.pid, 'SIGKILL');
    await until('the killed VM gone', () => (fs.existsSync(`/proc/${vm.pid}`) ? undefined : true));
    // Through the API: a cold start beside the refill can take longer than the CLI helper's minute under TCG.
    const created = await agent!.client.create({ template: 'linux' });
    expect(created.id).not.toBe(dead.id);
    const c = await waitForState(agent!.client, created.id, 'running', 600_000);
    expect(openssh(writeSshConfig(agent!, c.id), hostAlias(c.id, 'dev'), 'hostname').stdout).toBe('dev\n');
    expect(agent!.log()).toContain(`${dead.id}: a warm linux playground could not be handed out, so it is destroyed`);
    await until('the dead member removed', () => (fs.existsSync(path.join(playgroundsDir(), dead.id)) ? undefined : true), 60_000);
    await untilReady('refilled after the dead member');
    expect(members().map((m) => m.id)).not.toContain(dead.id);
    expect(cli(agent!, ['destroy', c.id]).code).toBe(0);

    await agent!.kill();
    agent = undefined;
    expect(processesMentioning(home)).toEqual([]);
    expect(fs.readdirSync(playgroundsDir())).toEqual([]);
  }, 1_800_000);
});
