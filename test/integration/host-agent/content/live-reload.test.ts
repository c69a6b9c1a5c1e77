// Live reload end to end: `sandlot content start <dir> --watch` (the real CLI) against a
// real agent on the sandbox driver. The author edits the markdown, then a task's script,
// removes a task and finally saves something broken; each save reloads the running
// playground's content in place, keeping what is unchanged and done, and broken content
// leaves the last good version running.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { connectMachine } from '../../../../host-agent/ssh/connect';
import { destroyAllAndStop, spawnCli, startAgent, stopProcess, until, type AgentHandle, type SpawnedCli } from '../../../helpers/agent-process';
import { execOn } from '../../../helpers/ssh-exec';

let agent: AgentHandle;
let cli: SpawnedCli | undefined;
let out = '';
let dir: string;

const indexMd = (o: { body: string; verifyB: string; extra?: string }) =>
  [
    '---',
    'kind: challenge',
    'title: Reload me',
    'playground:',
    '  name: linux',
    'tasks:',
    '  verify_a:',
    '    run: "[ -f /root/a ]"',
    '  verify_b:',
    `    run: "${o.verifyB}"`,
    ...(o.extra ? [o.extra] : []),
    '---',
    '',
    o.body,
    '',
  ].join('\n');

beforeAll(async () => {
  agent = await startAgent({ args: ['--driver', 'sandbox'] });
  dir = path.join(agent.home, 'reload-me');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'index.md'), indexMd({ body: 'Make the first file.', verifyB: '[ -f /root/b ]', extra: '  verify_gone:\n    run: "false"' }));
});

afterAll(async () => {
  if (cli) await stopProcess(cli.child);
  await destroyAllAndStop(agent);
  if (agent) fs.rmSync(agent.home, { recursive: true, force: true });
});

async function waitOut(what: RegExp, ms = 30_000): Promise<void> {
  await until(`the CLI to print ${what}`, () => (what.test(out) ? true : undefined), ms);
}

describe('sandlot content start --watch', () => {
  let pg: PlaygroundRecord;
  const run = async (command: string) => {
    const ssh = await connectMachine(agent.client, await agent.client.get(pg.id), 'dev');
    try {
      expect((await execOn(ssh, command)).code).toBe(0);
    } finally {
      ssh.end();
    }
    await agent.client.machineChanged(pg.id, 'dev', { reason: 'test' });
  };
  const task = async (name: string) => (await agent.client.get(pg.id)).tasks?.[name];

  it('starts the content and watches its folder', { timeout: 120_000 }, async () => {
    cli = spawnCli(agent.home, ['content', 'start', dir, '--watch']);
    cli.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    cli.child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await waitOut(/Watching .*reload-me/, 90_000);
    [pg] = await agent.client.list();
    expect(pg.content).toMatchObject({ title: 'Reload me', state: 'ready' });
    await run('touch /root/a');
    await until('verify_a to complete', async () => ((await task('verify_a'))?.status === 'completed' ? true : undefined));
  });

  it('reloads a markdown change in place and keeps the completed task', { timeout: 60_000 }, async () => {
    const doneAt = (await task('verify_a'))?.completedAt;
    fs.writeFileSync(
      path.join(dir, 'index.md'),
      indexMd({ body: 'Make the FIRST file, please.', verifyB: '[ -f /root/b ]', extra: '  verify_gone:\n    run: "false"' }),
    );
    await waitOut(/reloaded after index\.md changed \(revision 1\)/);
    expect(JSON.stringify(await agent.client.content(pg.id))).toContain('Make the FIRST file, please.');
    expect(await task('verify_a')).toMatchObject({ status: 'completed', completedAt: doneAt });
    expect((await agent.client.get(pg.id)).content?.revision).toBe(1);
  });

  it('runs a changed task script and drops a removed task', { timeout: 60_000 }, async () => {
    fs.writeFileSync(path.join(dir, 'index.md'), indexMd({ body: 'Make the FIRST file, please.', verifyB: '[ -f /root/c ]' }));
    await waitOut(/revision 2/);
    const tasks = (await agent.client.get(pg.id)).tasks ?? {};
    expect(Object.keys(tasks).sort()).toEqual(['verify_a', 'verify_b']);
    expect(tasks.verify_a.status).toBe('completed');
    // The old script's file does not satisfy the new one; the new one's does.
    await run('touch /root/b');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await task('verify_b'))?.status).not.toBe('completed');
    await run('touch /root/c');
    await until('verify_b to complete', async () => ((await task('verify_b'))?.status === 'completed' ? true : undefined));
    await until('the content to complete', async () => ((await agent.client.get(pg.id)).content?.state === 'completed' ? true : undefined));
    await waitOut(/✔ verify_b completed|verify_b completed/);
  });

  it('keeps the last good version running when the new one has problems', { timeout: 60_000 }, async () => {
    fs.writeFileSync(
      path.join(dir, 'index.md'),
      indexMd({ body: 'x', verifyB: '[ -f /root/c ]', extra: '  verify_bad:\n    needs: [no_such_task]\n    run: "true"' }),
    );
    await waitOut(/not reloaded, the running version stays/);
    await waitOut(/no_such_task/);
    const r = await agent.client.get(pg.id);
    expect(r.content).toMatchObject({ revision: 2, state: 'completed' });
    expect(Object.keys(r.tasks ?? {}).sort()).toEqual(['verify_a', 'verify_b']);
    expect(JSON.stringify(await agent.client.content(pg.id))).toContain('Make the FIRST file, please.');
  });

  it('stops watching on Ctrl-C and leaves the playground running', { timeout: 30_000 }, async () => {
    cli!.child.kill('SIGINT');
    const done = await cli!.done;
    cli = undefined;
    expect(done.code).toBe(0);
    expect(out).toContain(`Stopped watching. The playground runs on: sandlot destroy ${pg.id}`);
    expect((await agent.client.get(pg.id)).state).toBe('running');
    await agent.client.destroy(pg.id);
  });
});
