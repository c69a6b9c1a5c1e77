// The `sandlot` CLI as a user runs it: JSON output, one-line errors with non-zero exit
// codes for bad input, and the agent refusing to start where namespaces are unavailable.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord, TemplateSummary } from '../../../host-agent/api/protocol';
import { destroyAllAndStop, CLI, cli, printed, REPO, startAgent, tempHome, type AgentHandle } from '../../helpers/agent-process';

let agent: AgentHandle;
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await destroyAllAndStop(agent);
});

const oneLine = (s: string) => {
  expect(s.trim().split('\n')).toHaveLength(1);
  expect(s).not.toMatch(/\n\s+at /);
};

describe('sandlot CLI', () => {
  it('starts from a manifest file, prints the record with --json, and lists it', () => {
    const file = path.join(agent.home, 'two.yaml');
    fs.writeFileSync(file, 'kind: playground\nname: two\ntitle: Two boxes\nplayground:\n  machines:\n    - name: alpha\n    - name: beta\n');
    const r = cli(agent, ['start', '-f', file, '--json']);
    expect(r.stderr).toMatch(/✓ machine alpha/);
    expect(r.code).toBe(0);
    const record = printed<PlaygroundRecord>(r.stdout);
    expect(record).toMatchObject({ template: 'two', state: 'running', driver: 'sandbox' });
    expect(record.machines.map((m) => [m.name, m.state])).toEqual([
      ['alpha', 'running'],
      ['beta', 'running'],
    ]);
    const list = printed<PlaygroundRecord[]>(cli(agent, ['list', '--json']).stdout);
    expect(list.map((p) => p.id)).toContain(record.id);
    const status = cli(agent, ['status', record.id]);
    expect(status.stdout).toMatch(/alpha\s+running\s+172\.16\.0\.2\s+root\s+[\d.]+ MiB/);
    // The agent's own health: how late its event loop runs (every SSH session is served from it).
    expect(cli(agent, ['status']).stdout).toMatch(/^event loop lag: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \(last \d+ s\); since start max [\d.]+ ms$/m);
    expect(cli(agent, ['destroy', record.id]).code).toBe(0);
  });

  it('copies files and directories both ways with `sandlot cp`', () => {
    const started = printed<PlaygroundRecord>(cli(agent, ['start', 'linux-multi', '--json']).stdout);
    const src = path.join(agent.home, 'tree');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
    fs.writeFileSync(path.join(src, 'sub', 'b.txt'), 'beta');
    expect(cli(agent, ['cp', path.join(src, 'a.txt'), `${started.id}/node-02:/root/a.txt`]).code).toBe(0);
    expect(cli(agent, ['cp', '-r', src, `${started.id}/node-02:/tmp/`]).code).toBe(0);
    expect(cli(agent, ['ssh', `${started.id}/node-02`, '--', 'cat /root/a.txt /tmp/tree/sub/b.txt']).stdout).toBe('alphabeta');
    const back = path.join(agent.home, 'back');
    expect(cli(agent, ['cp', '-r', `${started.id}/node-02:/tmp/tree`, back]).code).toBe(0);
    expect(fs.readFileSync(path.join(back, 'sub', 'b.txt'), 'utf8')).toBe('beta');
    const missing = cli(agent, ['cp', `${started.id}/node-02:/root/nope.txt`, back]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cp: \/root\/nope\.txt: No such file/);
    oneLine(missing.stderr);
    expect(cli(agent, ['cp', path.join(src, 'sub'), `${started.id}:/root/`]).stderr).toMatch(/is a directory \(use -r\)/);
  });

  it('drops into a shell on a terminal with `start linux --ssh` (the README command)', async () => {
    const pty = await import('node-pty');
    const term = pty.spawn(process.execPath, [CLI, 'start', 'linux', '--ssh'], { env: agent.env, cols: 100, rows: 30 });
    let screen = '';
    term.onData((d) => (screen += d));
    // Subscribed at once: the CLI may well have exited before the screen is checked.
    const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(screen); i++) await new Promise((r) => setTimeout(r, 100));
      expect(screen).toMatch(re);
    };
    await waitFor(/is running: dev/);
    await waitFor(/[#$] $/m);
    term.write('echo "on $(hostname) as $(id -un)"; exit 4\r');
    await waitFor(/on dev as root/);
    expect(await exited).toBe(4);
  }, 90_000);

  it('lists templates as a table and as JSON', () => {
    const table = cli(agent, ['templates']);
    expect(table.stdout).toMatch(/^linux\s+dev\s+/m);
    expect(table.stdout).toMatch(/^linux-multi\s+node-01,node-02,node-03/m);
    const json = printed<TemplateSummary[]>(cli(agent, ['templates', '--json']).stdout);
    expect(json.find((t) => t.name === 'linux')?.source).toBe('builtin');
  });

  it('gives one clear line and a non-zero exit for bad input', () => {
    const cases: [string[], RegExp][] = [
      [['start', 'no-such-template'], /unknown template "no-such-template" \(available: .*linux/],
      [['start', '-f', '/nonexistent/pg.yaml'], /-f \/nonexistent\/pg\.yaml: no such file/],
      [['start'], /give a template name/],
      [['start', 'linux', '--lifetime', 'soon'], /--lifetime: expected a number of minutes, got "soon"/],
      [['ssh', 'pg-nope'], /no playground "pg-nope"/],
      [['ssh-proxy', '--stdio', 'example.com'], /expected a host alias sandlot--<playground>--<machine>, got "example.com"/],
      [['extend', 'pg-nope', '--minutes', '-3'], /--minutes: expected a positive number/],
      [['cp', 'a', 'b'], /exactly one side must be remote/],
      [['agent', '--driver', 'vmware'], /--driver: expected one of sandbox, docker, microvm, got "vmware"/],
    ];
    for (const [args, message] of cases) {
      const r = cli(agent, args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(message);
      oneLine(r.stderr);
    }
    const bad = path.join(agent.home, 'bad.yaml');
    fs.writeFileSync(bad, 'kind: playground\nname: Bad_Name\nplayground:\n  machines: [{name: a}]\n');
    const r = cli(agent, ['start', '-f', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: name: expected a DNS label`);
  });

  it('reports the version of package.json, and the agent the same', async () => {
    const pkg: unknown = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
    expect(cli(agent, ['--version']).stdout.trim()).toBe(version);
    expect((await agent.client.info()).version).toBe(version);
  });

  it('says there is no agent instead of failing obscurely', () => {
    const r = cli({ ...process.env, SANDLOT_HOME: tempHome() }, ['list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no local agent is running .*start one with: sandlot agent/);
    oneLine(r.stderr);
    const wrong = cli({ ...process.env, SANDLOT_HOME: tempHome(), SANDLOT_AGENT_URL: agent.url, SANDLOT_TOKEN: 'wrong' }, ['list']);
    expect(wrong.stderr).toMatch(/wrong bearer token/);
  });

  it('refuses to start the sandbox driver where user namespaces are unavailable, naming the docker driver', () => {
    // Inside a user namespace whose limit for nested ones is 0, unshare cannot work.
    const home = tempHome();
    const r = spawnSync(
      'unshare',
      ['--user', '--map-root-user', 'sh', '-c', 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" "$1" agent', process.execPath, CLI],
      {
        env: { ...process.env, SANDLOT_HOME: home },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the sandbox driver cannot run here: unprivileged user namespaces: .*docker driver \(sandlot agent --driver docker\)/);
    oneLine(r.stderr);
  });
});
