// `sandlot content test` end to end: the real CLI against a real agent on the sandbox
// driver, on fixtures written the way iximiuz Labs and Killercoda authors write content and
// solutions — one that passes (a .solution.sh with # session:, examinerctl task wait and
// task input), a check that passes before the learner acts, a solution.md that does not
// satisfy its task, a check that fails every second run, a Killercoda scenario solved from
// its {{exec}} blocks. Every test playground must be gone afterwards.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteResult } from '../../../../host-agent/content/testing/types';
import { parseOwnJson } from '../../../../host-agent/util/json';
import { CLI, REPO, startAgent, tempHome, type AgentHandle } from '../../../helpers/agent-process';
import { leaked, snapshotHost, type HostResources } from '../../../helpers/host-leaks';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'content-test');
const fixture = (name: string) => path.join(FIXTURES, name);

let agent: AgentHandle;
let before: HostResources;
/** Every playground the tests made (from the CLI's output). */
const made = new Set<string>();

/**
 * What is left of this file's playgrounds on the host: loop devices and mounts under the
 * agent's home, cgroups named after them. (Other suites run on this host at the same time,
 * so only what can be told to be ours counts; that no playground is left running is checked
 * through the agent after every run.)
 */
async function leftovers(timeoutMs = 20_000): Promise<Partial<HostResources>> {
  const ours = (x: string) => x.includes(agent.home) || [...made].some((id) => x.includes(id));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = leaked(before, snapshotHost());
    const left = Object.fromEntries(Object.entries(all).flatMap(([k, v]) => (v.filter(ours).length ? [[k, v.filter(ours)]] : [])));
    if (Object.keys(left).length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  before = snapshotHost();
  agent = await startAgent({ args: ['--driver', 'sandbox'] });
});

afterAll(async () => {
  await agent?.kill();
  if (agent) {
    expect(made.size).toBeGreaterThan(0);
    expect(await leftovers()).toEqual({});
    expect(fs.readdirSync(path.join(agent.home, 'playgrounds'))).toEqual([]);
    fs.rmSync(agent.home, { recursive: true, force: true });
  }
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI, asynchronously (runs take a while), optionally interrupted once `interruptOn` shows up on stderr. */
function sandlot(args: string[], opts: { interruptOn?: RegExp; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: agent.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.interruptOn && !interrupted && opts.interruptOn.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const m of stderr.matchAll(/\bpg-[a-z0-9]+/g)) made.add(m[0]);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('sandlot content test', () => {
  it('passes a good challenge and a Killercoda scenario, names a starter defect, and fails a solution with the check output', async () => {
    const junit = path.join(agent.home, 'report.xml');
    const r = await sandlot([
      'content',
      'test',
      fixture('good-challenge'),
      fixture('starter-defect'),
      fixture('bad-solution'),
      fixture('killercoda-scenario'),
      '--jobs',
      '2',
      '--junit',
      junit,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const suite = parseOwnJson<SuiteResult>(r.stdout);
    const by = (label: string) => suite.results.find((x) => x.label === label)!;

    const good = by('good-challenge');
    expect(good, r.stderr).toMatchObject({ passed: true, run: 1 });
    expect(good.tasks.map((t) => [t.name, t.verdict])).toEqual([
      ['verify_config', 'passed'],
      ['verify_owner', 'passed'],
      ['verify_color', 'passed'],
    ]);
    for (const t of good.tasks) expect(t.ms).toBeGreaterThan(0);
    expect(Object.keys(good.phases)).toEqual(['start', 'init', 'starter', 'solution', 'checks']);

    const starter = by('starter-defect');
    expect(starter, JSON.stringify(starter)).toMatchObject({ passed: false, failedPhase: 'starter' });
    expect(starter.message).toMatch(/^verify_workdir passed before the solution was applied/);
    expect(starter.tasks.map((t) => [t.name, t.verdict])).toEqual([
      ['verify_workdir', 'starter-defect'],
      ['verify_notes', 'passed'],
    ]);

    const bad = by('bad-solution');
    expect(bad, JSON.stringify(bad)).toMatchObject({ passed: false, failedPhase: 'checks' });
    const report = bad.tasks.find((t) => t.name === 'verify_report')!;
    expect(report).toMatchObject({ verdict: 'failed', message: 'did not complete within 8 s after the solution' });
    expect(report.output).toContain('report.txt says "three", expected the number of ERROR lines');
    expect(bad.solutionOutput).toContain('+ echo three');

    const scenario = by('killercoda-scenario');
    expect(scenario, scenario.message).toMatchObject({ passed: true });
    expect(scenario.tasks.map((t) => [t.name, t.verdict])).toEqual([
      ['step1_verify', 'passed'],
      ['step2_verify', 'passed'],
    ]);

    // Progress while it ran: which content, which phase.
    expect(r.stderr).toContain('[good-challenge #1] starter check (no task may pass yet)');
    expect(r.stderr).toMatch(/\[killercoda-scenario #1\] applying: steps: step 2 \(\{\{exec\}\} blocks\)/);
    expect(r.stderr).toMatch(/\[bad-solution #1\] FAIL in .*verify_report: did not complete/);
    // The summary table goes to stderr with --json.
    expect(r.stderr).toMatch(/^good-challenge\s+1\s+pass\s/m);

    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml).toContain('<testcase classname="good-challenge" name="verify_owner run 1"');
    expect(xml).toContain('report.txt says &quot;three&quot;');
    expect(xml).toContain('<failure message="starter defect: passed before the solution was applied">');

    expect(await agent.client.list()).toEqual([]);
  }, 300_000);

  it('names a flaky check under --repeat 3', async () => {
    const r = await sandlot(['content', 'test', fixture('flaky-check'), '--repeat', '3', '--jobs', '3']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^ {2}verify_tick\s+✓ [\d.]+s\s+✗ failed\s+✓ [\d.]+s$/m);
    expect(r.stdout).toContain('Flaky (passed in one run, failed in another):\n  flaky-check: verify_tick — passed in run 1, 3, failed in run 2');
    expect(r.stdout).toContain('2 of 3 run(s) passed, 1 flaky task(s)');
    expect(await agent.client.list()).toEqual([]);
  }, 300_000);

  it('exits 0 when everything passed, 2 for content it cannot test, with one line for bad arguments', async () => {
    const ok = await sandlot(['content', 'test', fixture('killercoda-scenario')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/1 of 1 run\(s\) passed in/);

    const home = tempHome('sandlot-untestable-');
    const dir = path.join(home, 'no-solution');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.md'), '---\nkind: challenge\ntitle: T\nplayground: { name: linux }\ntasks:\n  verify_x:\n    run: "true"\n---\n');
    const none = await sandlot(['content', 'test', dir]);
    fs.rmSync(home, { recursive: true, force: true });
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('no solution to apply (looked for .solution.sh, .solution-NN.sh, solution.md, solution-NN.md, a "Solution" box in index.md)');

    const badJobs = await sandlot(['content', 'test', dir, '--jobs', '0']);
    expect(badJobs.code).toBe(1);
    expect(badJobs.stderr.trim()).toBe('sandlot: --jobs: expected a whole number of at least 1, got "0"');
  }, 300_000);

  it('destroys the playground it was testing on Ctrl-C', async () => {
    const r = await sandlot(['content', 'test', fixture('good-challenge')], { interruptOn: /starter check/ });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('stopping: destroying the test playgrounds');
    expect(r.stderr).toMatch(/destroying: pg-/);
    expect(await agent.client.list()).toEqual([]);
  }, 300_000);
});
