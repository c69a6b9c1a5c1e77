// Manifest init tasks through the real task engine and real bash on this host
// (LocalRunner: users and machines are only recorded).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InitTaskFailedError } from '../../../../host-agent/tasks/engine';
import { LocalRunner } from '../../../../host-agent/tasks/local-runner';
import { planInitTasks, resolveInitValues } from '../../../../host-agent/manifests/init';
import { runInitTasks } from '../../../../host-agent/manifests/init-runner';
import { loadManifestText } from '../../../../host-agent/manifests/load';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-init-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const manifest = loadManifestText(
  `kind: playground
name: t
playground:
  machines: [{ name: a, users: [{ name: root }, { name: laborant }] }, { name: b }]
  initConditions: { values: [{ key: size, default: small, options: [small, large] }] }
  initTasks:
    first: { machine: b, run: "echo first >> $D/log" }
    second: { machine: a, user: laborant, needs: [first], timeout_seconds: 5, run: "echo second >> $D/log" }
    big: { needs: [second], conditions: [{ key: size, value: large }], run: "echo big >> $D/log" }
    broken: { needs: [second], conditions: [{ key: size, value: large }], run: "echo about to fail; echo oops >&2; exit 7" }
`,
  'm.yaml',
);

describe('manifest init tasks', () => {
  it('run in needs order as their user on their machine, each a progress step, skipping unmatched conditions', async () => {
    const runner = new LocalRunner({ ...process.env, D: dir });
    const steps: string[] = [];
    const { values } = resolveInitValues(manifest, {});
    await runInitTasks({ plan: planInitTasks(manifest, values), runner, progress: (step, status, machine) => steps.push(`${step} ${status} ${machine}`) });
    expect(fs.readFileSync(path.join(dir, 'log'), 'utf8')).toBe('first\nsecond\n');
    expect(steps).toEqual(['init task first started b', 'init task first done b', 'init task second started a', 'init task second done a']);
    expect(runner.calls).toEqual([
      { machine: 'b', user: 'root' },
      { machine: 'a', user: 'laborant' },
    ]);
  });

  it('fail with the task name and the tail of its output', async () => {
    fs.rmSync(path.join(dir, 'log'), { force: true });
    const steps: string[] = [];
    const { values } = resolveInitValues(manifest, { size: 'large' });
    const run = runInitTasks({
      plan: planInitTasks(manifest, values),
      runner: new LocalRunner({ ...process.env, D: dir }),
      progress: (s, st, _m, msg) => steps.push(`${s} ${st}${msg ? `: ${msg}` : ''}`),
    });
    await expect(run).rejects.toBeInstanceOf(InitTaskFailedError);
    await expect(run).rejects.toThrow('init task "broken" on a exited with code 7:\noops\nabout to fail');
    expect(steps).toContain('init task broken failed: exit code 7');
  });

  it('kill a task at its timeout', async () => {
    const slow = loadManifestText(
      'kind: playground\nname: t\nplayground:\n  machines: [{ name: a }]\n  initTasks:\n    slow: { timeout_seconds: 1, run: "sleep 30" }\n',
      'x',
    );
    const started = Date.now();
    await expect(runInitTasks({ plan: planInitTasks(slow, {}), runner: new LocalRunner(), progress: () => undefined })).rejects.toThrow(
      /init task "slow" on a /,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
