// The ssh-proxy OpenSSH runs for every connection, both ways it is started: the lean entry
// (dist/sandlot-ssh-proxy.js, the ProxyCommand of `sandlot ssh-config`) and `sandlot
// ssh-proxy --stdio` of the full CLI. Both pass the machine's SSH banner through the agent's
// `Upgrade: tcp` tunnel, and exit 0 once their stdin ends (OpenSSH closing the connection).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAlias, type PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { destroyAllAndStop, CLI, startAgent, startPlayground, type AgentHandle } from '../../../helpers/agent-process';

let agent: AgentHandle;
let pg: PlaygroundRecord;
beforeAll(async () => {
  agent = await startAgent();
  pg = await startPlayground(agent, 'linux');
}, 120_000);
afterAll(async () => {
  await destroyAllAndStop(agent);
});

/** Starts a proxy, reads until the banner's first line, closes its stdin; resolves with the banner and the exit code. */
function bannerThenEof(args: string[]): Promise<{ banner: string; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: agent.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no banner and exit within 20 s: ${JSON.stringify(out)} ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const had = out.includes('\n');
      out += d.toString();
      if (!had && out.includes('\n')) child.stdin.end();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ banner: out.split('\n')[0], code, stderr });
    });
  });
}

describe('ssh-proxy', () => {
  it('passes the SSH banner through and exits 0 when its stdin ends: the lean entry and `sandlot ssh-proxy --stdio`', async () => {
    const alias = hostAlias(pg.id, pg.machines[0].name);
    for (const args of [
      [path.join(path.dirname(CLI), 'sandlot-ssh-proxy.js'), alias],
      [CLI, 'ssh-proxy', '--stdio', alias],
    ]) {
      const r = await bannerThenEof(args);
      expect(r, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(r.banner).toMatch(/^SSH-2\.0-/);
    }
  });
});
