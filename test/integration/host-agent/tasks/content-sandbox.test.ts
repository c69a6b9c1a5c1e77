// Content on the sandbox driver, end to end: a real agent process, real machines, the
// task engine checking over the agent's SSH connections, state changes made by a
// command run over SSH (through the agent's tunnel), and an agent restart.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../../../host-agent/api/client';
import { destroyAllAndStop, startAgent, type AgentHandle } from '../../../helpers/agent-process';
import type { PlaygroundEvent, PlaygroundRecord, TaskRecord } from '../../../../host-agent/api/protocol';
import { connectMachine } from '../../../../host-agent/ssh/connect';

/** Collects a playground's events; `until` waits for one matching. */
async function follow(client: AgentClient, id: string) {
  const events: { at: number; e: PlaygroundEvent }[] = [];
  const waiters = new Set<() => void>();
  const stop = await client.events(id, (e) => {
    events.push({ at: Date.now(), e });
    waiters.forEach((w) => w());
  });
  const until = (match: (e: PlaygroundEvent) => boolean, ms = 30_000) =>
    new Promise<{ at: number; e: PlaygroundEvent }>((resolve, reject) => {
      const check = () => {
        const hit = events.find((x) => match(x.e));
        if (hit) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `no matching event within ${ms} ms; got: ${events.map((x) => x.e.type + (x.e.type === 'task' ? `:${x.e.task.name}:${x.e.task.status}` : '')).join(', ')}`,
          ),
        );
      }, ms);
      waiters.add(check);
      check();
    });
  return { events, until, stop };
}

const taskIs = (name: string, status: TaskRecord['status']) => (e: PlaygroundEvent) => e.type === 'task' && e.task.name === name && e.task.status === status;

async function sshRun(client: AgentClient, record: PlaygroundRecord, command: string): Promise<string> {
  const ssh = await connectMachine(client, record, 'dev', 'root');
  try {
    return await new Promise<string>((resolve, reject) => {
      ssh.exec(command, (err, ch) => {
        if (err) return reject(err);
        let out = '';
        ch.on('data', (d: Buffer) => (out += d.toString()));
        ch.stderr.resume();
        ch.on('close', () => resolve(out));
      });
    });
  } finally {
    ssh.end();
  }
}

function writeContent(root: string, name: string, frontMatter: string, body: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.md'), `---\n${frontMatter.trim()}\n---\n${body}`);
  return dir;
}

const CHALLENGE = `
kind: challenge
title: Integration challenge
playground: { name: linux }
tasks:
  init_first:
    init: true
    machine: dev
    run: |
      sleep 0.5; date +%s%N > /root/.first; echo one >> /root/.init-runs; echo token-42
  init_second:
    init: true
    needs: [init_first]
    run: |
      date +%s%N > /root/.second; cat /root/.first
  init_parallel:
    init: true
    run: |
      date +%s%N > /root/.parallel
  verify_flag:
    needs: [init_first]
    env: ["TOKEN=x(.needs.init_first.stdout)"]
    run: |
      [ "$(cat /root/flag 2>/dev/null)" = "$TOKEN" ]
    hintcheck: |
      [ -f /root/flag ] && echo "flag holds $(cat /root/flag), not the token"
  verify_later:
    run: |
      [ -f /root/later ]
`;

const BODY = '::simple-task\n---\n:name: verify_flag\n---\n#active\nwaiting\n#completed\ndone\n::\n\n::simple-task{name="verify_later"}\n::\n';

const FAILING = `
kind: challenge
title: Failcheck challenge
playground: { name: linux }
tasks:
  verify_copy:
    run: cmp -s /root/orig /root/copy
    failcheck: '[ -f /root/orig ]'
  init_orig:
    init: true
    run: echo data > /root/orig
`;

let home: string;
let agent: AgentHandle;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-content-it-'));
  agent = await startAgent({ home, args: ['--driver', 'sandbox'] });
});

afterAll(async () => {
  if (!agent) return;
  await destroyAllAndStop(agent);
});

describe('content on the sandbox driver', () => {
  it('runs init tasks by needs, turns a pending check green within 2 s of an SSH command, shows hints, survives an agent restart', async () => {
    const dir = writeContent(home, 'it-challenge', CHALLENGE, BODY);
    const created = await agent.client.startContent({ source: dir });
    expect(created.content).toMatchObject({ name: 'it-challenge', kind: 'challenge', state: 'initializing' });
    const f = await follow(agent.client, created.id);
    await f.until((e) => e.type === 'content' && e.state === 'ready');
    const record = await agent.client.get(created.id);

    // init ordering: second after first (needs), parallel did not wait for first
    const ts = (file: string) => sshRun(agent.client, record, `cat /root/${file}`).then((s) => s.trim());
    const [first, second, parallel] = [await ts('.first'), await ts('.second'), await ts('.parallel')];
    expect(BigInt(second)).toBeGreaterThan(BigInt(first));
    expect(BigInt(parallel)).toBeLessThan(BigInt(first));
    expect(record.tasks?.init_second.stdout?.trim()).toBe(first);

    // pending while the condition does not hold
    await f.until((e) => e.type === 'task' && e.task.name === 'verify_flag' && e.task.status === 'running' && e.task.exitCode === 1);
    expect((await agent.client.tasks(created.id)).verify_flag.status).toBe('running');

    // a wrong value: the hintcheck output becomes the hint
    await sshRun(agent.client, record, 'echo wrong > /root/flag');
    const hinted = await f.until((e) => e.type === 'task' && e.task.name === 'verify_flag' && e.task.hint !== undefined, 10_000);
    expect(hinted.e.type === 'task' && hinted.e.task.hint).toBe('flag holds wrong, not the token');

    // the right value, written over SSH: completed within 2 s
    const t0 = Date.now();
    await sshRun(agent.client, record, 'echo token-42 > /root/flag');
    const done = await f.until(taskIs('verify_flag', 'completed'), 10_000);
    expect(done.at - t0).toBeLessThan(2000);
    f.stop();

    // agent restart mid-challenge: completed tasks stay completed, init does not re-run,
    // the remaining check keeps running
    await agent.kill();
    agent = await startAgent({ home, args: ['--driver', 'sandbox'] });
    const resumed = await agent.client.get(created.id);
    expect(resumed.tasks?.verify_flag.status).toBe('completed');
    expect(resumed.tasks?.init_first.status).toBe('completed');
    const g = await follow(agent.client, created.id);
    await sshRun(agent.client, await agent.client.get(created.id), 'touch /root/later');
    await g.until(taskIs('verify_later', 'completed'), 15_000);
    await g.until((e) => e.type === 'content' && e.state === 'completed');
    g.stop();
    expect((await sshRun(agent.client, resumed, 'cat /root/.init-runs')).trim()).toBe('one');
    const final = await agent.client.get(created.id);
    expect(final.content?.state).toBe('completed');
    expect(Object.values(final.tasks ?? {}).every((t) => t.status === 'completed')).toBe(true);
  });

  it('marks the task and the content failed when failcheck fails', async () => {
    const dir = writeContent(home, 'it-failing', FAILING, '::simple-task{name="verify_copy"}\n::\n');
    const created = await agent.client.startContent({ source: dir });
    const f = await follow(agent.client, created.id);
    await f.until((e) => e.type === 'content' && e.state === 'ready');
    await sshRun(agent.client, await agent.client.get(created.id), 'mv /root/orig /root/copy');
    await f.until(taskIs('verify_copy', 'failed'), 10_000);
    const failed = await f.until((e) => e.type === 'content' && e.state === 'failed');
    expect(failed.e.type === 'content' && failed.e.message).toBe('task "verify_copy" failed its failcheck');
    f.stop();
    const record = await agent.client.get(created.id);
    expect(record.content).toMatchObject({ state: 'failed', error: 'task "verify_copy" failed its failcheck' });
    expect(record.tasks?.verify_copy).toMatchObject({ status: 'failed', error: 'failcheck exited with code 1' });
  });

  it('fails the start with the init task output and refuses invalid content with file and field', async () => {
    const bad = writeContent(
      home,
      'it-bad-init',
      'kind: challenge\ntitle: Bad\nplayground: { name: linux }\ntasks:\n  init_x:\n    init: true\n    run: echo "no such thing" >&2; exit 4\n',
      '',
    );
    const created = await agent.client.startContent({ source: bad });
    const f = await follow(agent.client, created.id);
    const failed = await f.until((e) => e.type === 'content' && e.state === 'failed');
    f.stop();
    expect(failed.e.type === 'content' && failed.e.message).toBe('init task "init_x" on dev exited with code 4:\nno such thing');

    const invalid = writeContent(home, 'it-invalid', 'kind: challenge\ntitle: Bad\nplayground: { name: nope }', '::simple-task{name="ghost"}\n::\n');
    await expect(agent.client.startContent({ source: invalid })).rejects.toThrow(/it-invalid\/index\.md: playground\.name: unknown template "nope"/);
  });
});
