// `sandlot run` runs through the launcher's lean entry (dist/sandlot-lean.js, the raw
// `tcpRun` route, no WebSocket library) for plain command lines; the full CLI
// (dist/sandlot-cli.mjs, commander) must answer every such line the same: stdout, stderr
// and exit code, for a command that succeeds, fails, reads stdin, is kept, prints JSON, runs
// in a terminal, and for each way of failing. Real agent, sandbox driver.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAllAndStop, CLI, startAgent, type AgentHandle, type CliResult } from '../../../helpers/agent-process';

const DIST = path.dirname(CLI);
/** The launcher (what users run), the lean entry itself (it refuses lines it cannot read), the full CLI. */
const PATHS = { launcher: CLI, lean: path.join(DIST, 'sandlot-lean.js'), full: path.join(DIST, 'sandlot-cli.mjs') };

let agent: AgentHandle;
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await destroyAllAndStop(agent);
  if (agent?.home) fs.rmSync(agent.home, { recursive: true, force: true });
});

function runWith(script: string, args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [script, ...args], { env: agent.env, encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same line through all three; `mask` hides what differs by design (playground ids, times). */
function allAnswer(args: string[], input?: string, mask: (r: CliResult) => CliResult = (r) => r): CliResult {
  const [launcher, lean, full] = [PATHS.launcher, PATHS.lean, PATHS.full].map((script) => mask(runWith(script, ['run', ...args], input)));
  expect(lean, `lean: run ${args.join(' ')}`).toEqual(full);
  expect(launcher, `launcher: run ${args.join(' ')}`).toEqual(full);
  return full;
}

const maskIds = (r: CliResult): CliResult => ({ ...r, stdout: r.stdout.replace(/pg-[a-z0-9]+/g, 'pg-X'), stderr: r.stderr.replace(/pg-[a-z0-9]+/g, 'pg-X') });

async function nothingLeft(): Promise<void> {
  expect(await agent.client.list()).toEqual([]);
}

describe('sandlot run: the lean entry answers as the full CLI does', () => {
  it('passes output, exit codes and stdin through, and leaves no playground', async () => {
    expect(allAnswer(['linux', '--', 'hostname'])).toEqual({ code: 0, stdout: 'dev\n', stderr: '' });
    expect(allAnswer(['linux', '--', 'echo out; echo err >&2; exit 5'])).toEqual({ code: 5, stdout: 'out\n', stderr: 'err\n' });
    expect(allAnswer(['linux', '--', 'tr', 'a-z', 'A-Z'], 'hello from stdin\n')).toEqual({ code: 0, stdout: 'HELLO FROM STDIN\n', stderr: '' });
    // Pipes, not a terminal: the command sees none.
    expect(allAnswer(['linux', '--', 'test -t 0 || test -t 1 || echo no-tty'])).toEqual({ code: 0, stdout: 'no-tty\n', stderr: '' });
    await nothingLeft();
  });

  it('runs a manifest on --machine as --user, with -i values', async () => {
    const file = path.join(agent.home, 'two.yaml');
    fs.writeFileSync(
      file,
      [
        'kind: playground',
        'name: two',
        'playground:',
        '  initConditions:',
        '    values:',
        '      - { key: greeting, default: hi }',
        '  machines:',
        '    - { name: alpha, image: linux, users: [{ name: root, default: true }] }',
        '    - { name: beta, image: linux, users: [{ name: root, default: true }, { name: laborant }] }',
        '',
      ].join('\n'),
    );
    const r = allAnswer(['-f', file, '-i', 'greeting=hello', '--machine', 'beta', '--user=laborant', '--', 'echo $(hostname) $(whoami)']);
    expect(r).toEqual({ code: 0, stdout: 'beta laborant\n', stderr: '' });
    const wrong = allAnswer(['-f', file, '--machine', 'gamma', '--', 'true']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^sandlot: --machine: .*no machine "gamma" \(machines: alpha, beta\)\n$/);
    await nothingLeft();
  });

  it('keeps the playground with --keep (one line naming it) and prints the record with --json', async () => {
    const kept = allAnswer(['linux', '--keep', '--', 'echo kept'], undefined, maskIds);
    expect(kept).toEqual({ code: 0, stdout: 'kept\n', stderr: 'Kept pg-X: sandlot ssh pg-X; sandlot destroy pg-X\n' });
    expect((await agent.client.list()).map((p) => p.state)).toEqual(['running', 'running', 'running']);
    for (const p of await agent.client.list()) await agent.client.destroy(p.id);
    // Each run makes its own playground: its id, times and keys differ, nothing else.
    const maskJson = (r: CliResult): CliResult => {
      const masked = maskIds(r);
      return { ...masked, stdout: masked.stdout.replace(/"20\d\d-[0-9T:.Z-]+"/g, '"<time>"').replace(/ssh-ed25519 [A-Za-z0-9+/=]+/g, 'ssh-ed25519 <key>') };
    };
    const json = allAnswer(['linux', '--json', '--', 'echo out; echo err >&2; exit 4'], undefined, maskJson);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 4, kept: false, stdout: 'out\n', stderr: 'err\n', playground: { template: 'linux' } });
    await nothingLeft();
  });

  it('fails with the same one line and exit code, and makes nothing', async () => {
    for (const [args, message] of [
      [['no-such-template', '--', 'true'], /^sandlot: unknown template "no-such-template"/],
      [['linux', '-i', 'novalue', '--', 'true'], /novalue/],
      [['-f', path.join(agent.home, 'missing.yaml'), '--', 'true'], /^sandlot: -f .*missing\.yaml: no such file\n$/],
      [['linux', '--'], /^sandlot: run: give the command to run after --/],
      [['--', 'true'], /^sandlot: run: give a template name/],
      [['linux', '-f', 'x.yaml', '--', 'true'], /^sandlot: run: give either a template name \("linux"\) or -f x\.yaml, not both\n$/],
      [['linux', '--lifetime', 'soon', '--', 'true'], /^sandlot: --lifetime: expected a number of minutes, got "soon"\n$/],
    ] as const) {
      const r = allAnswer([...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.split('\n'), args.join(' ')).toHaveLength(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    await nothingLeft();
  });

  it('leaves other lines to the full CLI: the launcher answers them as it does', () => {
    for (const args of [
      ['run', '--help'],
      ['run', 'linux', 'hostname'],
      ['run', 'linux', '--bogus', '--', 'true'],
    ]) {
      const launcher = runWith(PATHS.launcher, args);
      expect(launcher, args.join(' ')).toEqual(runWith(PATHS.full, args));
      expect(launcher.code === 0 || launcher.stderr.length > 0).toBe(true);
      // The lean entry itself refuses them with one line rather than guessing.
      expect(runWith(PATHS.lean, args).stderr).toMatch(/^sandlot: the lean entry cannot run: /);
    }
  });

  it('gives the command a terminal when stdin and stdout are one', async () => {
    const pty = await import('node-pty');
    for (const script of [PATHS.launcher, PATHS.full]) {
      const term = pty.spawn(process.execPath, [script, 'run', 'linux', '--', 'test -t 0 && test -t 1 && echo "tty $(tput cols 2>/dev/null || stty size)"'], {
        env: agent.env,
        cols: 91,
        rows: 33,
      });
      let screen = '';
      term.onData((d) => (screen += d));
      const code = await new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
      expect(code, script).toBe(0);
      expect(screen, script).toMatch(/tty (91|33 91)/);
    }
    await nothingLeft();
  });
});
