// The engine against real bash scripts on this host (LocalRunner): state lives in files
// of a temp folder, exactly as checks in a machine would see it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContentState, TaskRecord } from '../../../../host-agent/api/protocol';
import type { TaskSpec } from '../../../../host-agent/content/model';
import { InitTaskFailedError, TaskEngine } from '../../../../host-agent/tasks/engine';
import { LocalRunner } from '../../../../host-agent/tasks/local-runner';
import { errorMessage } from '../../../../host-agent/util/errors';
import { parseOwnJson } from '../../../../host-agent/util/json';

const engines: TaskEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

function task(name: string, run: string, extra: Partial<TaskSpec> = {}): TaskSpec {
  return { name, kind: 'regular', user: 'root', run, needs: [], env: [], ...extra };
}

function setup(tasks: TaskSpec[], resume?: Record<string, TaskRecord>, reuseDir?: string, intervalMs = 100) {
  const dir = reuseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-engine-test-'));
  const events: TaskRecord[] = [];
  const content: { state: ContentState; message?: string }[] = [];
  const runner = new LocalRunner({ ...process.env, D: dir });
  const engine = new TaskEngine({
    tasks: Object.fromEntries(tasks.map((t) => [t.name, t])),
    defaultMachine: 'dev',
    runner,
    intervalMs,
    resume,
    onTask: (r) => events.push(r),
    onContent: (state, message) => content.push({ state, message }),
  });
  engines.push(engine);
  return { dir, engine, events, content, runner };
}

async function until<T>(what: () => T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = what();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const now = `$(date +%s%N)`;

describe('TaskEngine init tasks', () => {
  it('runs init tasks along needs, independent ones in parallel, then is ready', async () => {
    const log = (n: string, body: string) => `echo "start ${n} ${now}" >> $D/log; ${body}; echo "end ${n} ${now}" >> $D/log`;
    const { dir, engine, content } = setup([
      task('init_a', log('a', 'sleep 0.3; echo A-OUT'), { kind: 'init' }),
      task('init_b', log('b', 'true'), { kind: 'init', needs: ['init_a'] }),
      task('init_c', log('c', 'sleep 0.1'), { kind: 'init' }),
      task('init_d', log('d', 'true'), { kind: 'init', needs: ['init_b', 'init_c'] }),
    ]);
    await engine.start();
    const at = (what: string) =>
      Number(
        fs
          .readFileSync(path.join(dir, 'log'), 'utf8')
          .split('\n')
          .find((l) => l.startsWith(what + ' '))!
          .split(' ')[2],
      );
    expect(at('start b')).toBeGreaterThanOrEqual(at('end a'));
    expect(at('start c')).toBeLessThan(at('end a')); // c did not wait for a
    expect(at('start d')).toBeGreaterThanOrEqual(Math.max(at('end b'), at('end c')));
    expect(content.map((c) => c.state)).toEqual(['ready']);
    expect(engine.snapshot().init_a).toMatchObject({ status: 'completed', exitCode: 0, stdout: 'A-OUT\n', runs: 1, machine: 'dev' });
  });

  it('fails the start with the failing init task and its output, and stops the others', async () => {
    const { dir, engine, content } = setup([
      task('init_bad', 'echo "disk is full" >&2; exit 3', { kind: 'init' }),
      task('init_slow', `sleep 2; touch $D/slow-finished`, { kind: 'init' }),
      task('init_after', 'true', { kind: 'init', needs: ['init_bad'] }),
      task('verify', 'true'),
    ]);
    const err = await engine.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InitTaskFailedError);
    expect(errorMessage(err)).toBe('init task "init_bad" on dev exited with code 3:\ndisk is full');
    expect(content.at(-1)).toEqual({ state: 'failed', message: errorMessage(err) });
    const snap = engine.snapshot();
    expect(snap.init_bad).toMatchObject({ status: 'failed', exitCode: 3, stderr: 'disk is full\n' });
    expect(snap.init_after.status).toBe('blocked');
    expect(snap.verify.status).toBe('created');
    expect(fs.existsSync(path.join(dir, 'slow-finished'))).toBe(false);
  });

  it('kills an init task after timeout_seconds', async () => {
    const { engine } = setup([task('init_hang', 'sleep 10', { kind: 'init', timeoutSeconds: 0.3 })]);
    const started = Date.now();
    await expect(engine.start()).rejects.toThrow('init task "init_hang" on dev timed out');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('TaskEngine regular tasks', () => {
  it('re-runs a check until it passes, with a live hint, then completes the content', async () => {
    const { dir, engine, events, content } = setup([
      task('verify_file', `[ "$(cat $D/answer 2>/dev/null)" = yes ]`, { hintcheck: `[ -f $D/answer ] && echo "the file says $(cat $D/answer)"` }),
    ]);
    await engine.start();
    await until(() => engine.snapshot().verify_file.runs >= 2);
    expect(engine.snapshot().verify_file).toMatchObject({ status: 'running', exitCode: 1 });
    expect(engine.snapshot().verify_file.hint).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'answer'), 'no\n');
    await until(() => engine.snapshot().verify_file.hint === 'the file says no');
    const t0 = Date.now();
    fs.writeFileSync(path.join(dir, 'answer'), 'yes\n');
    await until(() => engine.snapshot().verify_file.status === 'completed');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(engine.snapshot().verify_file.hint).toBeUndefined();
    expect(content.map((c) => c.state)).toEqual(['ready', 'completed']);
    // events only when something visible changed, not on every run
    expect(events.filter((e) => e.name === 'verify_file').length).toBeLessThan(engine.snapshot().verify_file.runs + 2);
    expect(events.at(-1)).toMatchObject({ name: 'verify_file', status: 'completed' });
  });

  it('marks the task and the content failed when failcheck fails', async () => {
    const { dir, engine, content } = setup([task('verify_copy', `cmp -s $D/orig $D/copy`, { failcheck: `[ -f $D/orig ]` }), task('verify_other', 'false')]);
    fs.writeFileSync(path.join(dir, 'orig'), 'data');
    await engine.start();
    await until(() => engine.snapshot().verify_copy.runs >= 1);
    fs.renameSync(path.join(dir, 'orig'), path.join(dir, 'copy'));
    await until(() => engine.snapshot().verify_copy.status === 'failed');
    expect(engine.snapshot().verify_copy.error).toBe('failcheck exited with code 1');
    expect(content.at(-1)).toEqual({ state: 'failed', message: 'task "verify_copy" failed its failcheck' });
  });

  it('blocks tasks until their needs complete and passes needs output through env', async () => {
    const { dir, engine } = setup([
      task('init_token', 'echo tok-123', { kind: 'init' }),
      task('verify_first', `[ -f $D/first ]`),
      task('verify_second', `[ "$(cat $D/second)" = "$TOKEN" ]`, { needs: ['verify_first', 'init_token'], env: ['TOKEN=x(.needs.init_token.stdout)'] }),
    ]);
    await engine.start();
    await until(() => engine.snapshot().verify_second.status === 'blocked');
    expect(engine.snapshot().verify_second.waitingFor).toEqual(['verify_first']);
    fs.writeFileSync(path.join(dir, 'second'), 'tok-123');
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.snapshot().verify_second.status).toBe('blocked');
    fs.writeFileSync(path.join(dir, 'first'), '');
    await until(() => engine.snapshot().verify_second.status === 'completed');
    expect(engine.state).toBe('completed');
  });

  it('checks user input only when submitted, never as shell code, and writes the destination', async () => {
    const dest = path.join(os.tmpdir(), `sandlot-engine-answer-${process.pid}`, 'answer.txt');
    const { dir, engine } = setup([task('q', `[ "x(.input)" = 42 ]`, { input: { destination: dest } })]);
    await engine.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.snapshot().q).toMatchObject({ status: 'created', runs: 0, input: true });
    const wrong = await engine.submitInput('q', `$(touch ${dir}/pwned)`);
    expect(wrong).toMatchObject({ status: 'created', exitCode: 1, runs: 1 });
    expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
    expect(fs.readFileSync(dest, 'utf8')).toBe(`$(touch ${dir}/pwned)\n`);
    const right = await engine.submitInput('q', '42');
    expect(right).toMatchObject({ status: 'completed', exitCode: 0, runs: 2 });
    await expect(engine.submitInput('nope', 'x')).rejects.toThrow('unknown task "nope" (expected one of q)');
  });

  it('refuses input for tasks that take none', async () => {
    const { engine } = setup([task('v', 'false')]);
    await engine.start();
    await expect(engine.submitInput('v', 'x')).rejects.toThrow('task "v" does not take input');
  });

  it('keeps helper tasks looping, hidden', async () => {
    const { dir, engine } = setup([task('helper_tick', `echo x >> $D/ticks; exit 1`, { kind: 'helper' }), task('verify', 'true')]);
    await engine.start();
    await until(() => fs.existsSync(path.join(dir, 'ticks')) && fs.readFileSync(path.join(dir, 'ticks'), 'utf8').length >= 8);
    expect(engine.snapshot().helper_tick).toMatchObject({ status: 'running', hidden: true, exitCode: 1 });
    expect(engine.state).toBe('completed'); // helpers do not count
  });
});

describe('TaskEngine resume', () => {
  it('does not re-run completed tasks and keeps looping the others', async () => {
    const tasks = [
      task('init_once', `echo run >> $D/init-runs; echo value`, { kind: 'init' }),
      task('verify_done', `echo run >> $D/done-runs`),
      task('verify_open', `[ -f $D/open ]`, { needs: ['init_once'], env: ['V=x(.needs.init_once.stdout)'] }),
    ];
    const first = setup(tasks);
    await first.engine.start();
    await until(() => first.engine.snapshot().verify_done.status === 'completed' && first.engine.snapshot().verify_open.runs >= 1);
    await first.engine.stop();
    const saved = parseOwnJson<Record<string, TaskRecord>>(JSON.stringify(first.engine.snapshot()));

    const dir = first.dir;
    const second = setup(tasks, saved, dir);
    await second.engine.start();
    expect(second.content.map((c) => c.state)).toEqual(['ready']);
    fs.writeFileSync(path.join(dir, 'open'), '');
    await until(() => second.engine.snapshot().verify_open.status === 'completed');
    expect(fs.readFileSync(path.join(dir, 'init-runs'), 'utf8')).toBe('run\n');
    expect(fs.readFileSync(path.join(dir, 'done-runs'), 'utf8')).toBe('run\n');
    expect(second.engine.snapshot().verify_open.runs).toBeGreaterThan(saved.verify_open.runs);
  });

  it('keeps a failed content failed', async () => {
    const failed: TaskRecord = { name: 'v', kind: 'regular', machine: 'dev', user: 'root', status: 'failed', runs: 3, error: 'failcheck exited with code 1' };
    const { engine, content, runner } = setup([task('v', 'true')], { v: failed });
    await engine.start();
    expect(content).toEqual([{ state: 'failed', message: 'failcheck exited with code 1' }]);
    await new Promise((r) => setTimeout(r, 250));
    expect(runner.calls).toEqual([]);
  });
});

describe('TaskEngine nudge (green at once)', () => {
  // A long period, so only a nudge can explain a quick pass.
  const SLOW = 60_000;

  it('checks a pending task at once when nudged, without waiting for the periodic loop', async () => {
    const { dir, engine } = setup([task('verify_flag', `echo run >> $D/runs; [ -f $D/flag ]`)], undefined, undefined, SLOW);
    await engine.start();
    await until(() => engine.snapshot().verify_flag.runs === 1);
    fs.writeFileSync(path.join(dir, 'flag'), '');
    const t0 = Date.now();
    expect(engine.nudge()).toEqual(['verify_flag']);
    await until(() => engine.snapshot().verify_flag.status === 'completed', 2000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(fs.readFileSync(path.join(dir, 'runs'), 'utf8')).toBe('run\nrun\n');
    // Nothing left to check: a nudge runs nothing.
    expect(engine.nudge()).toEqual([]);
  });

  it('runs a task again right after a run that a nudge overtook, and never two runs of one task at once', async () => {
    // Each run looks first, then takes 400 ms; the flag appears after the first run looked.
    const body = `ok=0; [ -f $D/flag ] && ok=1; echo "start $(date +%s%N)" >> $D/log; sleep 0.4; echo "end $(date +%s%N)" >> $D/log; [ $ok = 1 ]`;
    const { dir, engine } = setup([task('verify_slow', body)], undefined, undefined, SLOW);
    await engine.start();
    await until(() => fs.existsSync(path.join(dir, 'log')));
    fs.writeFileSync(path.join(dir, 'flag'), '');
    engine.nudge();
    engine.nudge(); // a second nudge while the first is pending adds no run
    await until(() => engine.snapshot().verify_slow.status === 'completed', 3000);
    const lines = fs.readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['start', 'end', 'start', 'end']);
    expect(engine.snapshot().verify_slow.runs).toBe(2);
  });

  it('leaves blocked, input and helper tasks to their own pace', async () => {
    const { dir, engine } = setup(
      [
        task('verify_first', `[ -f $D/first ]`),
        task('verify_second', `echo run >> $D/second-runs`, { needs: ['verify_first'] }),
        task('verify_answer', `[ "x(.input)" = 42 ]`, { input: {} }),
        task('helper_tick', `echo run >> $D/helper-runs`, { kind: 'helper' }),
      ],
      undefined,
      undefined,
      SLOW,
    );
    await engine.start();
    await until(() => engine.snapshot().verify_first.runs === 1 && fs.existsSync(path.join(dir, 'helper-runs')));
    expect(engine.nudge()).toEqual(['verify_first']);
    await until(() => engine.snapshot().verify_first.runs === 2);
    expect(fs.readFileSync(path.join(dir, 'helper-runs'), 'utf8')).toBe('run\n');
    expect(fs.existsSync(path.join(dir, 'second-runs'))).toBe(false);
  });

  it('checks nothing before the content is ready or after it stopped', async () => {
    const { engine, runner } = setup([task('verify_x', 'false')], undefined, undefined, SLOW);
    expect(engine.nudge()).toEqual([]);
    await engine.start();
    await engine.stop();
    const calls = runner.calls.length;
    expect(engine.nudge()).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(runner.calls.length).toBe(calls);
  });
});
