// The sandbox driver's isolation promises, attacked from inside a machine the way an
// audit did, with the agent as root and as a normal user (uid 65534, its state directory
// outside /root, /home, /tmp and /var/tmp so only the mask hides it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pty from 'node-pty';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../../host-agent/api/protocol';
import { connectMachine } from '../../../../../host-agent/ssh/connect';
import { startModeAgent, stateDirOutsideOwnDirs, userModeAvailable, type AgentMode, type ModeAgent } from '../../../../helpers/agent-as';
import { waitForState } from '../../../../helpers/agent-process';
import { snapshotHost, waitForNoLeaks } from '../../../../helpers/host-leaks';
import { execOn } from '../../../../helpers/ssh-exec';

const modes: AgentMode[] = process.getuid?.() === 0 ? (userModeAvailable() ? ['root', 'user'] : ['root']) : [];

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
    const created = await agent.client.create({ template: 'linux-multi' });
    pg = await waitForState(agent.client, created.id, 'running', 60_000);
    ssh = await connectMachine(agent.client, pg, 'node-01');
  });

  afterAll(async () => {
    ssh?.end();
    fs.closeSync(leakedDir);
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

  it('lets no inherited descriptor and no host path into a machine', async () => {
    const r = await run('ls -l /proc/1/fd /proc/self/fd; tr "\\0" "\\n" < /proc/1/environ');
    expect(r.stdout).not.toContain(victimDir);
    expect(r.stdout).not.toContain(agent.home);
    expect(r.stdout.split('\n').filter((l) => /^PATH=|^[A-Z_]+=/.test(l))).toEqual(['PATH=/usr/sbin:/usr/bin:/sbin:/bin']);
  });

  it('leaves nothing behind after stop and destroy', async () => {
    ssh.end();
    expect((await agent.client.stop(pg.id)).state).toBe('stopped');
    const r = agent.cli(['destroy', pg.id]);
    expect(r.stderr).toBe('');
    await agent.stop();
    expect(await waitForNoLeaks(before)).toEqual({});
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
      const created = await a.client.create({ template: 'linux' });
      await waitForState(a.client, created.id, 'running', 60_000);
      await a.client.destroy(created.id);
      expect(fs.readdirSync(tmp).filter((f) => !listing.has(f) && /sandlot/.test(f))).toEqual([]);
    } finally {
      await a.stop();
      fs.rmSync(squat, { force: true });
    }
  });
});
