// `sandlot cp -r` through a real machine: symbolic links travel as links both ways (a
// link up the tree, an absolute one, a dangling one), nothing follows them into a loop,
// and a fifo is skipped with a note instead of hanging the copy.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { cli, startAgent, startPlayground, type AgentHandle } from '../../../helpers/agent-process';

let agent: AgentHandle;
let pg: PlaygroundRecord;

beforeAll(async () => {
  agent = await startAgent();
  pg = await startPlayground(agent);
});

afterAll(async () => {
  if (pg) await agent.client.destroy(pg.id).catch(() => undefined);
  await agent?.kill();
  if (agent) fs.rmSync(agent.home, { recursive: true, force: true });
});

async function sh(command: string): Promise<string> {
  let out = '';
  const exit = await agent.client.exec(pg.id, 'dev', { command }, (c) => {
    if (c.type === 'stdout' || c.type === 'stderr') out += Buffer.from(c.data, 'base64').toString();
  });
  if (exit.code !== 0) throw new Error(`${command}: exit ${exit.code}: ${out}`);
  return out;
}

describe('sandlot cp -r', () => {
  it('uploads links as links, loops included, and skips a fifo with a note', async () => {
    const tree = path.join(agent.home, 'up');
    fs.mkdirSync(path.join(tree, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'sub', 'file.txt'), 'content');
    fs.symlinkSync('file.txt', path.join(tree, 'sub', 'rel'));
    fs.symlinkSync('..', path.join(tree, 'sub', 'loop'));
    fs.symlinkSync('/etc/hostname', path.join(tree, 'abs'));
    fs.symlinkSync('nowhere', path.join(tree, 'dangling'));
    spawnSync('mkfifo', [path.join(tree, 'pipe')]);

    const r = cli(agent, ['cp', '-r', tree, `${pg.id}:/root/`]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(`cp: ${path.join(tree, 'pipe')}: not a regular file, directory or link; skipped`);
    expect(await sh('cd /root/up && readlink sub/rel sub/loop abs dangling && cat sub/rel && echo && test ! -e pipe && find . | sort')).toBe(
      ['file.txt', '..', '/etc/hostname', 'nowhere', 'content', '.', './abs', './dangling', './sub', './sub/file.txt', './sub/loop', './sub/rel', ''].join(
        '\n',
      ),
    );
  });

  it('downloads links as links without following one that points up the tree', async () => {
    await sh(
      'mkdir -p /root/down/sub && echo -n data > /root/down/sub/f && ln -s .. /root/down/sub/loop && ln -s / /root/down/root-link && ln -s f /root/down/sub/rel && mkfifo /root/down/pipe',
    );
    const local = path.join(agent.home, 'down');
    const r = cli(agent, ['cp', '-r', `${pg.id}:/root/down`, local]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('cp: /root/down/pipe: not a regular file, directory or link; skipped');
    expect(fs.readlinkSync(path.join(local, 'sub', 'loop'))).toBe('..');
    expect(fs.readlinkSync(path.join(local, 'root-link'))).toBe('/');
    expect(fs.readFileSync(path.join(local, 'sub', 'rel'), 'utf8')).toBe('data');
    expect(fs.existsSync(path.join(local, 'pipe'))).toBe(false);
  });

  it('follows a link named on the command line without -r, as cp does', () => {
    const r = cli(agent, ['cp', `${pg.id}:/root/down/sub/rel`, path.join(agent.home, 'followed')]);
    expect(r.code).toBe(0);
    expect(fs.lstatSync(path.join(agent.home, 'followed')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(agent.home, 'followed'), 'utf8')).toBe('data');
  });
});
