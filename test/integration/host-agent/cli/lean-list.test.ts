// `sandlot list` runs through the launcher's lean entry (dist/sandlot-lean.js); the full
// CLI (dist/sandlot-cli.mjs, commander) must answer every such command line the same:
// the same stdout, stderr and exit code, for a table, JSON, and each way of failing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { destroyAllAndStop, CLI, cli, printed, startAgent, tempHome, type AgentHandle, type CliResult } from '../../../helpers/agent-process';

const FULL_CLI = path.join(path.dirname(CLI), 'sandlot-cli.mjs');

let agent: AgentHandle;
const homes: string[] = [];
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await destroyAllAndStop(agent);
  for (const h of [agent?.home, ...homes]) if (h) fs.rmSync(h, { recursive: true, force: true });
});

function fullCli(env: NodeJS.ProcessEnv, args: string[]): CliResult {
  const r = spawnSync(process.execPath, [FULL_CLI, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Both paths on the same command line; the time left is masked (a minute may turn between the two runs). */
function bothAnswer(env: NodeJS.ProcessEnv, args: string[]): CliResult {
  const mask = (r: CliResult) => ({ ...r, stdout: r.stdout.replace(/\b(\d+h\d{2}m|\d+m|expired)$/gm, '<left>') });
  const lean = mask(cli(env, args));
  expect(lean, args.join(' ')).toEqual(mask(fullCli(env, args)));
  return lean;
}

function emptyHome(): string {
  const home = tempHome();
  homes.push(home);
  return home;
}

describe('sandlot list: the lean entry answers as the full CLI does', () => {
  it('prints no playgrounds, a table and JSON alike, for list and ls', () => {
    expect(bothAnswer(agent.env, ['list'])).toEqual({ code: 0, stdout: 'No playgrounds. Start one with: sandlot start linux\n', stderr: '' });
    const file = path.join(agent.home, 'one.yaml');
    fs.writeFileSync(file, 'kind: playground\nname: one\ntitle: One box\nplayground:\n  machines:\n    - name: alpha\n');
    const started = cli(agent, ['start', '-f', file, '--json']);
    expect(started.code).toBe(0);
    const record = printed<PlaygroundRecord>(started.stdout);
    const table = bothAnswer(agent.env, ['ls']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TEMPLATE\s+STATE\s+MACHINES\s+EXPIRES IN$/);
    expect(table.stdout).toMatch(new RegExp(`^${record.id}\\s+one\\s+running\\s+alpha:running\\s+<left>$`, 'm'));
    const json = bothAnswer(agent.env, ['list', '--json']);
    expect(printed<PlaygroundRecord[]>(json.stdout).map((p) => p.id)).toEqual([record.id]);
    // The global options before the command, both spellings.
    const env = { ...process.env, SANDLOT_HOME: emptyHome() };
    expect(bothAnswer(env, ['--agent', agent.url, `--token=${agent.token}`, 'list', '--json']).stdout).toBe(json.stdout);
  });

  it('fails with the same one line and exit code: no agent, a wrong token, an agent that does not answer', () => {
    const none = bothAnswer({ ...process.env, SANDLOT_HOME: emptyHome() }, ['list']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^sandlot: no local agent is running .*start one with: sandlot agent\n$/);
    const wrong = bothAnswer({ ...process.env, SANDLOT_HOME: emptyHome(), SANDLOT_AGENT_URL: agent.url, SANDLOT_TOKEN: 'wrong' }, ['list']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^sandlot: .*wrong bearer token.*\n$/);
    const gone = bothAnswer({ ...process.env, SANDLOT_HOME: emptyHome() }, ['--agent', 'http://127.0.0.1:1', '--token', 't', 'ls']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('sandlot: no Sandlot agent answers at http://127.0.0.1:1 (ECONNREFUSED); start one with: sandlot agent\n');
  });
});
