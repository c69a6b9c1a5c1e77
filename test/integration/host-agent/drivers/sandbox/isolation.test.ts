// The sandbox driver's isolation promises, attacked from inside a machine the way an
// audit did, with the agent as root and as a normal user (uid 65534, its state directory
// outside /root, /home, /tmp and /var/tmp so only the mask hides it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pty from 'node-pty';
import type { Client } from 'ssh2';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../../host-agent/api/protocol';
import { builtHelper } from '../../../../../host-agent/drivers/sandbox/namespaces';
import { connectMachine } from '../../../../../host-agent/ssh/connect';
import { startModeAgent, stateDirOutsideOwnDirs, userModeAvailable, type AgentMode, type ModeAgent } from '../../../../helpers/agent-as';
import { waitForState } from '../../../../helpers/agent-process';
import { snapshotHost, waitForNoLeaks } from '../../../../helpers/host-leaks';
import { execOn } from '../../../../helpers/ssh-exec';

const modes: AgentMode[] = process.getuid?.() === 0 ? (userModeAvailable() ? ['root', 'user'] : ['root']) : [];

// Machines that name no image get the host's read-only view, whatever the agent's mode:
// the attacks below are on that view.
const HOST_VIEW = stringify({
  kind: 'playground',
  name: 'host-view',
  playground: { machines: [{ name: 'node-01' }, { name: 'node-02' }] },
});

describe.skipIf(modes.length === 0).each(modes)('sandbox isolation, agent as %s', (mode) => {
  let agent: ModeAgent;
  let pg: PlaygroundRecord;
  let ssh: Client;
  let victimDir: string;
  let leakedDir: number;
  const before = snapshotHost();

  beforeAll(async () => {
    // A world-writable host file in a directory machines see: only a read-only mount
    // stands between a machine and it (the uid mapping would not, for "others").
    victimDir = stateDirOutsideOwnDirs(mode);
    fs.writeFileSync(path.join(victimDir, 'victim'), 'original\n', { mode: 0o666 });
    fs.chmodSync(path.join(victimDir, 'victim'), 0o666);
    // A descriptor the agent inherits without close-on-exec: a directory of the host.
    leakedDir = fs.openSync(victimDir, 'r');
    agent = await startModeAgent(mode, { inherit: [leakedDir] });
    const created = await agent.client.create({ manifest: HOST_VIEW, manifestName: 'host-view.yaml' });
    pg = await waitForState(agent.client, created.id, 'running', 60_000);
    ssh = await connectMachine(agent.client, pg, 'node-01');
  });

  afterAll(async () => {
    ssh?.end();
    fs.closeSync(leakedDir);
    // Already gone when the last test ran; not when a subset ran (vitest -t): machines outlive their agent.
    if (pg) await agent?.client.destroy(pg.id).catch(() => undefined);
    await agent?.stop();
  });

  const run = async (command: string) => execOn(ssh, command, { timeoutMs: 30_000 });

  it('keeps the host view read-only: remount, unmount and writes all fail', async () => {
    const victim = path.join(victimDir, 'victim');
    const r = await run(
      [
        `mount -o remount,bind,rw '${victimDir}' && echo REMOUNTED-DIR`,
        `mount -o remount,bind,rw / && echo REMOUNTED-ROOT`,
        `umount -l '${victimDir}' && echo UNMOUNTED`,
        `echo pwned > '${victim}' && echo WROTE`,
        `mount --bind /tmp '${victimDir}' && echo OVERMOUNTED-IN-MACHINE-ONLY`,
        'true',
      ].join('; '),
    );
    expect(r.stdout).not.toMatch(/REMOUNTED|UNMOUNTED|WROTE/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('original\n');
  });

  it("hides the agent's state directory, and the mask cannot be lifted", async () => {
    const r = await run(
      `umount -l '${agent.home}'; umount '${agent.home}'; mount --move '${agent.home}' /mnt; cat '${agent.home}/token'; ls -A '${agent.home}'; true`,
    );
    const token = fs.readFileSync(path.join(agent.home, 'token'), 'utf8').trim();
    expect(r.stdout).not.toContain(token);
    expect(r.stdout).not.toMatch(/playgrounds|agent\.json/);
  });

  it("gives each machine its own terminals; the host's stay out", async () => {
    // A terminal on the host, as a user's own shell or another playground's would be:
    // the machine tries to type into it by its number.
    const hostTerm = pty.spawn('bash', ['-c', 'tty; exec sleep 30'], {});
    let seen = '';
    hostTerm.onData((d) => (seen += d));
    try {
      const deadline = Date.now() + 5000;
      while (!/\/dev\/pts\/\d+/.test(seen) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const hostPts = /\/dev\/pts\/\d+/.exec(seen)![0];
      const r = await run(
        `stat -c %d /dev/pts; timeout 2 sh -c 'echo SANDLOT-MARK > ${hostPts}' 2>/dev/null; script -qec tty /dev/null; python3 -c 'import os,pty; m,s=pty.openpty(); print("openpty", os.ttyname(s))'`,
      );
      await new Promise((res) => setTimeout(res, 300));
      expect(seen).not.toContain('SANDLOT-MARK');
      // Another devpts instance than the host's, so host terminals have no name in it.
      expect(Number(r.stdout.split('\n')[0])).not.toBe(fs.statSync('/dev/pts').dev);
      expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r?$/m);
      expect(r.stdout).toMatch(/^openpty \/dev\/pts\/\d+$/m);
    } finally {
      hostTerm.kill();
    }
    // An interactive shell's terminal is the machine's own too.
    const tty = await new Promise<string>((resolve, reject) =>
      ssh.exec('tty', { pty: { term: 'xterm', cols: 80, rows: 24 } }, (err, ch) => {
        if (err) return reject(err);
        let out = '';
        ch.on('data', (d: Buffer) => (out += d.toString()));
        ch.on('close', () => resolve(out.trim()));
      }),
    );
    expect(tty).toMatch(/^\/dev\/pts\/\d+$/);
  });

  it('runs every machine process under the seccomp filter: bpf, io_uring and keyrings refused, the rest allowed', async () => {
    const r = await run(
      [
        'grep ^Seccomp: /proc/1/status /proc/self/status',
        // bpf (321), io_uring_setup (425), keyctl (250): refused; getpid (39): allowed.
        `python3 -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True)
for nr in (321, 425, 250, 39):
    r = l.syscall(nr, 0, 0, 0); print(nr, r, ctypes.get_errno() if r < 0 else 0)'`,
      ].join('; '),
    );
    expect(r.stdout).toMatch(/^\/proc\/1\/status:Seccomp:\s+2$/m);
    expect(r.stdout).toMatch(/^\/proc\/self\/status:Seccomp:\s+2$/m);
    for (const nr of [321, 425, 250]) expect(r.stdout).toMatch(new RegExp(`^${nr} -1 1$`, 'm'));
    expect(r.stdout).toMatch(/^39 \d+ 0$/m);
  });

  it('lets no inherited descriptor and no host path into a machine', async () => {
    const r = await run('ls -l /proc/1/fd /proc/self/fd; tr "\\0" "\\n" < /proc/1/environ');
    expect(r.stdout).not.toContain(victimDir);
    expect(r.stdout).not.toContain(agent.home);
    expect(r.stdout.split('\n').filter((l) => /^PATH=|^[A-Z_]+=/.test(l))).toEqual(['PATH=/usr/sbin:/usr/bin:/sbin:/bin']);
  });

  it("gives a machine's PID 1 no executable of the host to reach through /proc/1/exe", async () => {
    // As a normal-user agent, machine root owns the agent's files on the host: an executable
    // of the checkout behind /proc/1/exe could be chmod-ed or, once idle, rewritten.
    const helper = builtHelper('sandlot-init');
    const before = helper ? fs.statSync(helper) : undefined;
    const r = await run('readlink /proc/1/exe; chmod 0777 /proc/1/exe; echo pwned >> /proc/1/exe && echo APPENDED; true');
    expect(r.stdout.split('\n')[0]).toMatch(helper ? /^\/memfd:sandlot-init/ : /^\/(usr\/)?bin\/bash$/);
    expect(r.stdout).not.toContain('APPENDED');
    if (helper) {
      const after = fs.statSync(helper);
      expect([after.mode, after.size, after.mtimeMs]).toEqual([before!.mode, before!.size, before!.mtimeMs]);
    }
  });

  it("keeps PID 1 up against TERM, INT and HUP from inside, and reaps the machine's orphans", async () => {
    // Orphans (a backgrounded sleep whose shell exits) are re-parented to PID 1, which must reap them.
    const r = await run(
      [
        'kill -TERM 1; kill -INT 1; kill -HUP 1',
        "sh -c 'sleep 0.2 & exit 0'",
        'sleep 0.6',
        'zombies=0; for f in /proc/[0-9]*/stat; do read -r _ _ st _ < $f 2>/dev/null && [ "$st" = Z ] && zombies=$((zombies+1)); done; echo zombies=$zombies',
      ].join('; '),
    );
    expect(r.stdout).toContain('zombies=0');
    expect((await run('echo still-up')).stdout).toContain('still-up');
  });

  it.runIf(mode === 'root')('gives the playgrounds of two root agents different uid ranges', async () => {
    const other = await startModeAgent(mode);
    try {
      const created = await other.client.create({ manifest: HOST_VIEW, manifestName: 'host-view.yaml' });
      const theirs = await waitForState(other.client, created.id, 'running', 60_000);
      const ownerOf = async (a: ModeAgent, record: PlaygroundRecord, machine: string) => {
        const c = await connectMachine(a.client, record, machine);
        await execOn(c, 'touch /root/owner-probe');
        c.end();
        return fs.statSync(path.join(a.home, 'playgrounds', record.id, 'driver', 'machines', machine, 'root', 'owner-probe')).uid;
      };
      const mine = await ownerOf(agent, pg, 'node-01');
      const yours = await ownerOf(other, theirs, 'node-02');
      expect(mine).toBeGreaterThanOrEqual(0x100000);
      expect(yours).toBeGreaterThanOrEqual(0x100000);
      expect(Math.floor(mine / 65536)).not.toBe(Math.floor(yours / 65536));
      await other.client.destroy(created.id);
    } finally {
      await other.stop();
    }
  });

  it('leaves nothing behind after stop and destroy', async () => {
    ssh.end();
    expect((await agent.client.stop(pg.id)).state).toBe('stopped');
    const r = agent.cli(['destroy', pg.id]);
    expect(r.stderr).toBe('');
    await agent.stop();
    const left = await waitForNoLeaks(before);
    expect(left, JSON.stringify(left)).toEqual({});
  });

  it.runIf(mode === 'root')('ignores what other local users put in shared temporary directories', async () => {
    // Paths an earlier agent used: a local user who owns them must not be able to steer or break us.
    const tmp = process.env.TMPDIR || '/tmp';
    const squat = path.join(tmp, 'sandlot-rootfs-0');
    fs.rmSync(squat, { recursive: true, force: true });
    fs.symlinkSync('/etc', squat);
    const listing = new Set(fs.readdirSync(tmp));
    const a = await startModeAgent(mode);
    try {
      const created = await a.client.create({ manifest: HOST_VIEW, manifestName: 'host-view.yaml' });
      await waitForState(a.client, created.id, 'running', 60_000);
      await a.client.destroy(created.id);
      expect(fs.readdirSync(tmp).filter((f) => !listing.has(f) && /^sandlot-rootfs/.test(f))).toEqual([]);
    } finally {
      await a.stop();
      fs.rmSync(squat, { force: true });
    }
  });
});
