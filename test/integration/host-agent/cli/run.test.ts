// `sandlot run`: the real CLI against a real agent (sandbox driver): exit codes and the
// three streams pass through, the playground is gone when the CLI exits (unless --keep),
// and a run that is interrupted (SIGINT) or whose CLI is killed leaves nothing behind. The
// exit is answered before the destroy is done: an agent killed then (or while the command
// runs) has the next agent destroy the run's playground; a kept one is adopted as it was.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentApiError } from '../../../../host-agent/api/client';
import { destroyAllAndStop, CLI, cli, printed, startAgent, until, type AgentHandle } from '../../../helpers/agent-process';
import { descendants, stillRunning, type ProcessRef } from '../../../helpers/processes';

let agent: AgentHandle;
let agentOwn: ProcessRef[];

beforeAll(async () => {
  agent = await startAgent();
  agentOwn = descendants(agent.process.pid!);
});

afterAll(async () => {
  await destroyAllAndStop(agent);
});

/** Processes the agent started that are still there (machines of playgrounds a run left behind). */
function machineProcesses(): ProcessRef[] {
  const own = new Set(agentOwn.map((p) => p.pid));
  return descendants(agent.process.pid!).filter((p) => !own.has(p.pid));
}

async function nothingLeft(): Promise<void> {
  expect(await agent.client.list()).toEqual([]);
  await until('the machines of finished runs to be gone', () => (machineProcesses().length === 0 ? true : undefined), 20_000).catch(() => undefined);
  expect(stillRunning(machineProcesses()).map((p) => p.cmd)).toEqual([]);
}

function spawnRun(args: string[]): { child: ChildProcess; stdout: () => string; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { env: agent.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, stdout: () => stdout, exit: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr }))) };
}

async function apiErrorOf(p: Promise<unknown>): Promise<AgentApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AgentApiError)) throw new Error(`expected an AgentApiError, got ${String(err)}`);
  return err;
}

describe('sandlot run', () => {
  it("passes the command's exit code and output through, and leaves no playground", async () => {
    const r = cli(agent, ['run', 'linux', '--', 'hostname']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('dev\n');
    expect(r.code).toBe(0);
    expect(cli(agent, ['run', 'linux', '--', 'exit', '7']).code).toBe(7);
    // A command killed by a signal exits as a shell reports it (128 + signal number).
    expect(cli(agent, ['run', 'linux', '--', 'kill -TERM $$']).code).toBe(143);
    await nothingLeft();
  });

  it('passes stdin through to the command, and stdout and stderr apart', async () => {
    const r = cli(agent, ['run', 'linux', '--', 'tr a-z A-Z; echo to-stderr >&2; exit 3'], 'hello from stdin\n');
    expect(r.stdout).toBe('HELLO FROM STDIN\n');
    expect(r.stderr).toBe('to-stderr\n');
    expect(r.code).toBe(3);
    const data = Buffer.alloc(512 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    const big = cli(agent, ['run', 'linux', '--', 'sha256sum'], data.toString('latin1'));
    expect(big.stdout.split(' ')[0]).toBe(
      createHash('sha256')
        .update(Buffer.from(data.toString('latin1'), 'utf8'))
        .digest('hex'),
    );
    await nothingLeft();
  });

  it('runs a manifest file on the machine --machine names', async () => {
    const file = path.join(agent.home, 'two.yaml');
    fs.writeFileSync(
      file,
      [
        'kind: playground',
        'name: two',
        'playground:',
        '  machines:',
        '    - { name: alpha, image: linux, users: [{ name: root, default: true }] }',
        '    - { name: beta, image: linux, users: [{ name: root, default: true }] }',
        '',
      ].join('\n'),
    );
    const r = cli(agent, ['run', '-f', file, '--machine', 'beta', '--', 'hostname']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('beta\n');
    const wrong = cli(agent, ['run', '-f', file, '--machine', 'gamma', '--', 'true']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/--machine: .*no machine "gamma" \(machines: alpha, beta\)/);
    await nothingLeft();
  });

  it('keeps the playground with --keep; --json prints the record, the exit code and the output', async () => {
    const r = cli(agent, ['run', 'linux', '--keep', '--json', '--', 'echo kept; exit 4']);
    expect(r.code).toBe(4);
    const out = printed<{ playground: { id: string }; exitCode: number; kept: boolean; stdout: string }>(r.stdout);
    expect(out).toMatchObject({ exitCode: 4, kept: true, stdout: 'kept\n' });
    const kept = await agent.client.get(out.playground.id);
    expect(kept.state).toBe('running');
    expect(cli(agent, ['ssh', kept.id, '--', 'hostname']).stdout).toBe('dev\n');
    await agent.client.destroy(kept.id);
    await nothingLeft();
  });

  it('destroys the playground when the run is interrupted (SIGINT) or its CLI is killed', async () => {
    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      const run = spawnRun(['linux', '--', 'echo started; sleep 120']);
      await until('the command to start', () => (run.stdout().includes('started') ? true : undefined), 60_000);
      expect((await agent.client.list()).length).toBe(1);
      run.child.kill(signal);
      const { code } = await run.exit;
      if (signal === 'SIGINT') expect(code).toBe(130);
      // The agent destroys it either way (a closed socket cancels the run).
      await until('the playground to be destroyed', async () => ((await agent.client.list()).length === 0 ? true : undefined), 30_000);
      await nothingLeft();
    }
  });

  for (const when of ['right after the exit', 'while the command runs'] as const) {
    it(`answers the exit before the destroy is done; an agent killed ${when} has the next agent destroy the run's playground, a kept one stays`, async () => {
      const kept = await (
        await agent.client.run({ playground: { template: 'linux' }, command: 'true', keep: true }, { stdout: () => undefined, stderr: () => undefined })
      ).done;
      const keptProcesses = new Set(machineProcesses().map((p) => p.pid));
      let id: string | undefined;
      let machines: ProcessRef[] = [];
      let started: () => void = () => undefined;
      const running = new Promise<void>((resolve) => (started = resolve));
      const run = await agent.client.run(
        { playground: { template: 'linux' }, command: when === 'right after the exit' ? 'hostname' : 'echo started; sleep 120' },
        {
          stdout: () => started(),
          stderr: () => undefined,
          event: (e) => {
            if (e.type === 'created') id = e.playground.id;
            if (e.type === 'running') machines = machineProcesses().filter((p) => !keptProcesses.has(p.pid));
          },
        },
      );
      if (when === 'right after the exit') {
        const exit = await run.done;
        // At once, before the destroy (tens of milliseconds) can be done.
        agent.process.kill('SIGKILL');
        expect(exit).toMatchObject({ type: 'exit', code: 0, kept: false });
      } else {
        await running;
        agent.process.kill('SIGKILL');
        expect((await apiErrorOf(run.done)).code).toBe('bad_response');
      }
      const dir = path.join(agent.home, 'playgrounds', id!);
      await until('the killed agent gone', () => (agent.process.exitCode !== null || agent.process.signalCode !== null ? true : undefined));
      // The kill came first: the playground is still there.
      expect(fs.existsSync(dir)).toBe(true);
      expect(machines).not.toEqual([]);

      agent = await startAgent({ home: agent.home });
      agentOwn = descendants(agent.process.pid!);
      await until('the next agent to finish the destroy', () => (fs.existsSync(dir) ? undefined : true), 30_000);
      // The kept run's playground is the user's: the next agent adopts it as it was.
      expect((await agent.client.list()).map((p) => [p.id, p.state])).toEqual([[kept.playground.id, 'running']]);
      await agent.client.destroy(kept.playground.id);
      await until('its machine processes gone', () => (stillRunning(machines).length === 0 ? true : undefined), 20_000);
      await nothingLeft();
    });
  }

  it('answers bad input with one line and makes nothing', async () => {
    for (const [args, message] of [
      [['run', 'linux'], /run: give the command to run after --/],
      [['run', '--', 'true'], /run: give a template name/],
      [['run', 'no-such-template', '--', 'true'], /unknown template "no-such-template"/],
      [['run', '-f', path.join(agent.home, 'missing.yaml'), '--', 'true'], /-f .*missing\.yaml: no such file/],
      [['run', 'linux', '-i', 'novalue', '--', 'true'], /novalue/],
    ] as const) {
      const r = cli(agent, [...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    await nothingLeft();
  });
});
