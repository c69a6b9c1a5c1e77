// The sandbox driver with the agent running as a normal user (uid 65534 here): machines,
// networking between them and SSH work without root; only root exists in machines.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAgentFile, type AgentFile } from '../../../host-agent/api/agent-file';
import { AgentClient } from '../../../host-agent/api/client';
import { CLI, tempHome, waitForState } from '../../helpers/agent-process';
import { connectMachine } from '../../../host-agent/ssh/connect';

const UID = 65534;
// The unprivileged user must be able to read the checkout (a checkout inside a private
// home directory is not); then this runs, else it is reported as skipped.
const readable = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', 'test', '-r', CLI], {}).status === 0;
const runAs = (home: string, args: string[]) => [
  'setpriv',
  `--reuid=${UID}`,
  `--regid=${UID}`,
  '--clear-groups',
  'env',
  `SANDLOT_HOME=${home}`,
  process.execPath,
  CLI,
  ...args,
];

let agentPid: number | undefined;
afterAll(() => {
  if (agentPid) process.kill(agentPid, 'SIGTERM');
});

describe.skipIf(process.getuid?.() !== 0 || !readable)('agent as a normal user', () => {
  it('runs a multi-machine playground with SSH and names, offering only root', async () => {
    const home = tempHome();
    fs.chownSync(home, UID, UID);
    const argv = runAs(home, ['agent']);
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: false });
    agentPid = child.pid;
    let info: AgentFile | undefined;
    for (let i = 0; i < 200 && !info; i++) {
      info = readAgentFile(path.join(home, 'agent.json'));
      if (!info) await new Promise((r) => setTimeout(r, 50));
    }
    const client = new AgentClient({ url: info!.url, token: fs.readFileSync(path.join(home, 'token'), 'utf8').trim() });
    expect((await client.info()).isolation).toMatch(/non-root.*only the root user exists/);
    const created = await client.create({ template: 'linux-multi' });
    const pg = await waitForState(client, created.id, 'running');
    const ssh = await connectMachine(client, pg, 'node-01');
    const out = await new Promise<string>((resolve, reject) =>
      ssh.exec('hostname; id -u; getent hosts node-03; stat -c %u /root/..', (err, s) => {
        if (err) return reject(err);
        let o = '';
        s.on('data', (d: Buffer) => (o += d.toString()));
        s.on('close', () => resolve(o));
      }),
    );
    ssh.end();
    expect(out).toMatch(/^node-01\n0\n172\.16\.0\.4\s+node-03\b/);
    await expect(connectMachine(client, pg, 'node-01', 'laborant')).rejects.toThrow(/SSH login as laborant refused/);
    // Files the machine made belong to the agent's own user on the host.
    const owner = fs.statSync(path.join(home, 'playgrounds', pg.id, 'driver', 'machines', 'node-01', 'root')).uid;
    expect(owner).toBe(UID);
    await client.destroy(pg.id);
  });
});
