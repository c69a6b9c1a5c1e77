// The microvm driver in the real agent, with real QEMU (TCG here): a playground of two
// machines cloned from one snapshot, OpenSSH through the agent's tunnel with strict host
// key checking, names between machines, different host keys per clone, files across
// stop/start, no address space randomisation under TCG, key-only logins with no
// per-session motd scripts, signals both ways through the agent's SSH front, RSS in `sandlot status`, re-adoption after the agent is
// SIGKILLed, and a destroy that leaves no QEMU, namespace holder, namespace or files behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAlias, type PlaygroundEvent } from '../../../../../host-agent/api/protocol';
import { MicrovmDriver } from '../../../../../host-agent/drivers/microvm/driver';
import { connectMachine } from '../../../../../host-agent/ssh/connect';
import { cli, openssh, startAgent, tempHome, waitForState, writeSshConfig, type AgentHandle } from '../../../../helpers/agent-process';
import { TWO_MACHINES, VM_CACHE, processesInNetns, processesMentioning, readDriverState, vmEnv, removeVmHome } from './helpers';

describe('microvm driver in the agent', () => {
  let home: string;
  let agent: AgentHandle | undefined;
  let id: string | undefined;
  let sshConfig: string;
  const events: PlaygroundEvent[] = [];

  beforeAll(async () => {
    // The image is shared by every microvm test; built here on the first run only.
    const driver = new MicrovmDriver({ stateHome: VM_CACHE, cacheDir: VM_CACHE });
    await driver.images.ensure('linux');
    home = tempHome('sandlot-vm-');
    agent = await startAgent({ home, args: ['--driver', 'microvm'], env: vmEnv() });
    const created = await agent.client.create({ manifest: TWO_MACHINES, manifestName: 'vm-pair.yaml' });
    id = created.id;
    await agent.client.events(id, (e) => events.push(e));
    // First use of the snapshot boots the image once (≈10-20 s under TCG).
    await waitForState(agent.client, id, 'running', 300_000);
    sshConfig = writeSshConfig(agent, id);
  }, 900_000);

  afterAll(async () => {
    if (agent && id) await agent.client.destroy(id).catch(() => {});
    await agent?.kill();
    removeVmHome(home);
  }, 120_000);

  it('starts both machines as clones of one snapshot and reaches them with OpenSSH through the agent', () => {
    const restored = events.flatMap((e) => (e.type === 'step' && e.step === 'machine' && e.status === 'done' ? [[e.machine, e.message]] : []));
    expect(restored.sort().map(([m, msg]) => `${m}: ${msg?.replace(/[\d.]+ s$/, 'N s')}`)).toEqual([
      'alpha: restored from snapshot in N s',
      'beta: restored from snapshot in N s',
    ]);
    const r = openssh(sshConfig, hostAlias(id!, 'alpha'), 'hostname; cat /home/laborant/hello.txt; stat -c %U /home/laborant/hello.txt');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('alpha\nhello from the manifest\nlaborant\n');
    const asUser = openssh(sshConfig, `laborant@${hostAlias(id!, 'alpha')}`, 'id -un');
    expect(asUser.stdout.trim()).toBe('laborant');
  });

  it('lets machines reach each other by name', () => {
    const r = openssh(sshConfig, hostAlias(id!, 'alpha'), 'getent hosts beta; ping -c 1 -W 5 beta >/dev/null && echo reachable');
    expect(r.stdout).toMatch(/^172\.16\.0\.3\s+beta beta\.local\n/);
    expect(r.stdout).toContain('reachable');
  });

  it('lets users ssh from one machine to another by name with strict host key checking', () => {
    const r = openssh(sshConfig, hostAlias(id!, 'alpha'), "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes beta 'whoami; hostname'");
    expect(r.stderr).not.toMatch(/Host key verification failed|Permission denied/);
    expect(r.stdout.trim().split('\n')).toEqual(['root', 'beta']);
  });

  it('gives each clone its own host key (the one the agent recorded) and the clock of the host', async () => {
    const record = await agent!.client.get(id!);
    const keys: string[] = [];
    for (const m of record.machines) {
      // Strict host key checking against the agent's known_hosts: a clone presenting the
      // template's (or the other clone's) key would fail here.
      const r = openssh(sshConfig, hostAlias(id!, m.name), 'cut -d" " -f1,2 /etc/ssh/ssh_host_ed25519_key.pub; date +%s');
      expect(r.code).toBe(0);
      const [key, epoch] = r.stdout.trim().split('\n');
      expect(key).toBe(m.hostKey.split(' ').slice(0, 2).join(' '));
      expect(Math.abs(Number(epoch) - Date.now() / 1000)).toBeLessThan(30);
      keys.push(key);
    }
    expect(new Set(keys).size).toBe(2);
  });

  it('runs guests without address space randomisation under TCG only (QEMU 7.2 keeps translated code per virtual address)', () => {
    const accel = /acceleration: (KVM|TCG)/.exec(cli(agent!, ['doctor', 'microvm']).stdout)?.[1];
    // Two processes of one binary: the same libc address when nothing is randomised.
    const r = openssh(
      sshConfig,
      hostAlias(id!, 'alpha'),
      'cat /proc/sys/kernel/randomize_va_space; for i in 1 2; do grep -m1 libc /proc/self/maps | cut -d- -f1; done',
    );
    const [setting, first, second] = r.stdout.trim().split('\n');
    expect(setting).toBe(accel === 'TCG' ? '0' : '2');
    if (accel === 'TCG') expect(second).toBe(first);
  });

  it('serves key logins only, with the ed25519 host key, and runs no update-motd.d per session (/etc/motd still shown on a terminal)', () => {
    const host = hostAlias(id!, 'alpha');
    const password = openssh(sshConfig, host, 'true', ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive']);
    expect(password.code).toBe(255);
    expect(password.stderr).toMatch(/Permission denied \(publickey\)/);
    const rsa = openssh(sshConfig, host, 'true', ['-o', 'HostKeyAlgorithms=rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256']);
    expect(rsa.code).toBe(255);
    expect(rsa.stderr).toMatch(/no matching host key type found\. Their offer: ssh-ed25519/);
    // pam_motd's dynamic part would have written /run/motd.dynamic by the time the command runs.
    for (const user of ['root', 'laborant']) {
      const r = openssh(sshConfig, `${user}@${host}`, 'id -un; test -e /run/motd.dynamic && echo dynamic motd || echo no dynamic motd');
      expect(r.stdout).toBe(`${user}\nno dynamic motd\n`);
    }
    // A login shell on a terminal (sshd is quiet when a command is given), every time: the
    // sessions share the agent's login in the machine, and sshd prints the motd per session.
    for (let i = 0; i < 2; i++) {
      const tty = spawnSync('ssh', ['-F', sshConfig, '-o', 'BatchMode=yes', '-tt', `laborant@${host}`], { input: 'exit\n', encoding: 'utf8', timeout: 60_000 });
      expect(tty.stdout).toContain('The programs included with the Debian GNU/Linux system are free software');
      expect(tty.stdout).not.toMatch(/^Linux alpha /m);
    }
  });

  it("passes a client's signal to the command, and how it ended, through the agent's SSH front", async () => {
    const record = await agent!.client.get(id!);
    const client = await connectMachine(agent!.client, record, 'alpha', 'laborant');
    try {
      const started = Date.now();
      const ended = await new Promise<unknown[]>((resolve, reject) => {
        client.exec('echo ready; exec sleep 60', (err, ch) => {
          if (err) return reject(err);
          ch.once('data', () => ch.signal('INT'));
          ch.on('close', (...args: unknown[]) => resolve(args));
        });
      });
      expect(ended.slice(0, 2)).toEqual([null, 'SIGINT']);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      client.end();
    }
  });

  it('reports RSS per machine in sandlot status', () => {
    const r = cli(agent!, ['status', id!]);
    expect(r.code).toBe(0);
    for (const m of ['alpha', 'beta']) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(m));
      const mib = Number(/([\d.]+) MiB/.exec(line ?? '')?.[1]);
      // A 512 MiB TCG guest: tens of MiB at least, never more than its RAM plus QEMU.
      expect(mib).toBeGreaterThan(20);
      expect(mib).toBeLessThan(1024);
    }
  });

  it('keeps files across stop and start (a cold boot of the same overlay)', async () => {
    expect(openssh(sshConfig, hostAlias(id!, 'beta'), 'echo kept > /root/mark && sync').code).toBe(0);
    const before = readDriverState(home, id!);
    await agent!.client.stop(id!);
    await waitForState(agent!.client, id!, 'stopped');
    // Graceful: QMP system_powerdown was enough (no fallback to quit or SIGKILL was logged).
    const fallbacks = events.filter((e) => e.type === 'log' && /did not power off|QMP failed/.test((e as { message: string }).message));
    expect(fallbacks).toEqual([]);
    // QEMU exited and the namespace holder is gone.
    for (const m of Object.values(before.machines)) expect(fs.existsSync(`/proc/${m.vm!.pid}/stat`) && !isZombie(m.vm!.pid)).toBe(false);
    expect(fs.existsSync(`/proc/${before.net!.pid}/stat`) && !isZombie(before.net!.pid)).toBe(false);
    await agent!.client.start(id!);
    await waitForState(agent!.client, id!, 'running', 240_000);
    const r = openssh(sshConfig, hostAlias(id!, 'beta'), 'cat /root/mark; hostname');
    expect(r.stdout).toBe('kept\nbeta\n');
  }, 300_000);

  it('re-adopts running VMs after the agent is SIGKILLed', async () => {
    const before = readDriverState(home, id!);
    await agent!.kill('SIGKILL');
    agent = await startAgent({ home, args: ['--driver', 'microvm'], env: vmEnv() });
    const again = await waitForState(agent.client, id!, 'running');
    expect(again.machines.map((m) => m.state)).toEqual(['running', 'running']);
    // The same QEMU processes, not new ones.
    expect(readDriverState(home, id!).machines.alpha.vm).toEqual(before.machines.alpha.vm);
    const r = openssh(sshConfig, hostAlias(id!, 'alpha'), 'cat /home/laborant/hello.txt');
    expect(r.stdout).toBe('hello from the manifest\n');
  });

  it('destroy leaves no QEMU, namespace or files behind', async () => {
    const state = readDriverState(home, id!);
    const netns = fs.readlinkSync(`/proc/${state.net!.pid}/ns/net`);
    const dir = path.join(home, 'playgrounds', id!);
    expect(processesMentioning(dir).length).toBe(2);
    expect(processesInNetns(netns).length).toBeGreaterThanOrEqual(3);
    await agent!.client.destroy(id!);
    id = undefined;
    expect(processesMentioning(dir)).toEqual([]);
    // The tunnel relay (a child of the agent inside the namespace) gets SIGKILL; give the kernel a moment.
    expect(await settle(() => processesInNetns(netns))).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
    // The taps lived only in that namespace: none appeared on the host.
    expect(fs.readdirSync('/sys/class/net').filter((n) => /^tap\d+$/.test(n))).toEqual([]);
  });

  it('sandlot doctor reports the microvm driver and which accelerator it uses', () => {
    const r = cli(agent!, ['doctor', 'microvm']);
    expect(r.stdout).toMatch(/^microvm: usable/m);
    expect(r.stdout).toMatch(/ok {3}acceleration: (KVM|TCG)/);
    // A root agent gives playgrounds a veth out; oci:// root drives need skopeo and umoci.
    expect(r.stdout).toMatch(/ok {3}way out: veth to the host/);
    expect(r.stdout).toMatch(/ok {3}oci:\/\/ root drives: skopeo and umoci installed/);
  });
});

async function settle<T extends unknown[]>(probe: () => T, ms = 2000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = probe();
  while (last.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = probe();
  }
  return last;
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}
