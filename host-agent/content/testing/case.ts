// One test case of `sandlot content test`: a fresh playground for the content, its init
// tasks, the starter check (no task may pass before the learner acts), the solution applied
// step by step, every task completed within its timeout, and the playground destroyed —
// the vetting iximiuz Labs' authors do by hand, through the agent's API and SSH only.
import * as crypto from 'node:crypto';
import type { Client } from 'ssh2';
import type { AgentClient } from '../../api/client';
import type { DriverName, PlaygroundRecord, TaskRecord } from '../../api/protocol';
import { connectMachine } from '../../ssh/connect';
import { tail } from '../../tasks/runner';
import { errorMessage } from '../../util/errors';
import type { SolutionStep } from '../solution';
import { solutionProgram, type ControlRequest } from './control';
import { runStep } from './step-runner';
import type { CaseResult, Phase, TaskResult, TestCase, TestEvent } from './types';
import { PlaygroundWatch, WatchError, WatchTimeout } from './watch';

export interface CaseOptions {
  client: AgentClient;
  driver?: DriverName;
  /** The whole case (start to last check) must fit in this. */
  timeoutMs: number;
  emit: (e: TestEvent) => void;
  signal?: AbortSignal;
}

/** A playground that outlives a crashed test expires on its own after this. */
const LIFETIME_MINUTES = 30;
/** Longest a playground may take to reach `running` (image builds happen on first use). */
const START_MS = 10 * 60_000;
/** Longest a solution chunk may run. */
const STEP_MS = 10 * 60_000;
const DEFAULT_TASK_TIMEOUT_S = 60;
const OUTPUT_TAIL = 2000;

class CaseFailure extends Error {
  constructor(
    readonly phase: Phase,
    message: string,
    readonly output?: string,
  ) {
    super(message);
  }
}

export async function runCase(tc: TestCase, o: CaseOptions): Promise<CaseResult> {
  return new CaseRun(tc, o).run();
}

class CaseRun {
  private readonly started = Date.now();
  private readonly phases: Partial<Record<Phase, number>> = {};
  private readonly taskResults = new Map<string, TaskResult>();
  private readonly ssh = new Map<string, Promise<Client>>();
  private readonly rejected = new Map<string, string>();
  private watch: PlaygroundWatch | undefined;
  private id: string | undefined;
  private solutionStart = 0;
  private solutionOutput = '';
  private readonly abort = new AbortController();

  constructor(
    private readonly tc: TestCase,
    private readonly o: CaseOptions,
  ) {
    o.signal?.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private emit(e: Omit<Extract<TestEvent, { type: 'phase' }>, 'type' | 'label' | 'run'>): void {
    this.o.emit({ type: 'phase', label: this.tc.label, run: this.tc.run, ...e });
  }

  async run(): Promise<CaseResult> {
    let failure: CaseFailure | undefined;
    const deadline = setTimeout(() => this.abort.abort(), this.o.timeoutMs);
    let phase: Phase = 'start';
    const timed = async <T>(p: Phase, fn: () => Promise<T>): Promise<T> => {
      phase = p;
      const t = Date.now();
      try {
        return await fn();
      } finally {
        this.phases[p] = Date.now() - t;
      }
    };
    try {
      await timed('start', () => this.start());
      await timed('init', () => this.init());
      const defects = await timed('starter', () => this.starterCheck());
      if (defects.length > 0) {
        failure = new CaseFailure('starter', `${defects.join(', ')} passed before the solution was applied (a check that passes on the fresh playground)`);
      }
      await timed('solution', () => this.applySolution());
      await timed('checks', () => this.checks());
    } catch (err) {
      const f =
        err instanceof CaseFailure
          ? err
          : new CaseFailure(
              phase,
              this.o.signal?.aborted
                ? 'stopped'
                : this.abort.signal.aborted
                  ? `the test took longer than ${Math.round(this.o.timeoutMs / 1000)} s`
                  : errorMessage(err),
            );
      failure ??= f;
      if (failure !== f && !failure.message.includes(f.message))
        failure = new CaseFailure(failure.phase, `${failure.message}; then ${f.phase}: ${f.message}`, f.output);
    } finally {
      clearTimeout(deadline);
      await this.cleanup();
    }
    const tasks = this.finalTasks(failure);
    const passed = !failure && tasks.every((t) => t.verdict === 'passed');
    const result: CaseResult = {
      label: this.tc.label,
      content: this.tc.content,
      dir: this.tc.dir,
      solution: this.tc.solution.name,
      run: this.tc.run,
      passed,
      ...(failure ? { failedPhase: failure.phase, message: failure.message } : {}),
      ...(!passed && this.solutionOutput ? { solutionOutput: tail(this.solutionOutput, 4000) } : {}),
      ...(this.id ? { playground: this.id } : {}),
      durationMs: Date.now() - this.started,
      phases: this.phases,
      tasks,
    };
    if (!passed && !result.message) {
      const bad = tasks.filter((t) => t.verdict !== 'passed');
      result.failedPhase = 'checks';
      result.message = bad.map((t) => `${t.name}: ${t.message ?? t.verdict}`).join('; ');
    }
    return result;
  }

  // ---- phases ----

  private async start(): Promise<void> {
    this.emit({ phase: 'start', detail: this.o.driver ? `${this.o.driver} driver` : undefined });
    const created = await this.o.client.startContent({
      source: this.tc.dir,
      lifetimeMinutes: LIFETIME_MINUTES,
      ...(this.o.driver ? { driver: this.o.driver } : {}),
    });
    this.id = created.id;
    this.watch = await PlaygroundWatch.follow(this.o.client, created.id);
    await this.until(
      () => {
        const r = this.watch!.record;
        if (r?.state === 'failed' || r?.state === 'destroyed')
          throw new CaseFailure('start', `playground ${created.id} ${r.state}${r.error ? `: ${r.error}` : ''}`);
        return r?.state === 'running' ? true : undefined;
      },
      START_MS,
      () => `playground ${created.id} did not start within ${START_MS / 60_000} min`,
      'start',
    );
    this.emit({ phase: 'init', detail: `${created.id} (${created.driver} driver) running` });
  }

  private async init(): Promise<void> {
    await this.until(
      () => {
        const c = this.watch!.record?.content;
        if (c?.state === 'failed') throw new CaseFailure('init', c.error ?? 'an init task failed');
        if (this.watch!.record?.state === 'failed') throw new CaseFailure('init', this.watch!.record.error ?? 'the playground failed');
        return c?.state === 'ready' || c?.state === 'completed' ? true : undefined;
      },
      START_MS,
      () => `the init tasks did not finish (${this.pendingInit().join(', ') || 'none pending'})`,
      'init',
      () => this.pendingInit(),
    );
  }

  private pendingInit(): string[] {
    return Object.values(this.watch?.tasks ?? {})
      .filter((t) => t.kind === 'init' && t.status !== 'completed')
      .map((t) => t.name);
  }

  /**
   * Every regular task that can run before the learner acts (not waiting for an answer,
   * not blocked by `needs`) has been checked once, and none passed.
   */
  private async starterCheck(): Promise<string[]> {
    this.emit({ phase: 'starter' });
    await this.nudge('starter');
    const checked = (t: TaskRecord) => t.status === 'completed' || t.status === 'failed' || t.status === 'blocked' || t.runs > 0;
    const unchecked = () => this.tc.tasks.filter((s) => !s.input && !checked(this.task(s.name))).map((s) => s.name);
    const longest = Math.max(DEFAULT_TASK_TIMEOUT_S, ...this.tc.tasks.map((t) => t.timeoutSeconds));
    await this.until(
      () => (unchecked().length === 0 ? true : undefined),
      longest * 1000 + 5000,
      () => `${unchecked().join(', ')} never finished a check on the fresh playground`,
      'starter',
      unchecked,
    );
    const defects = this.tc.tasks.filter((s) => this.task(s.name).status === 'completed').map((s) => s.name);
    for (const name of defects) {
      this.setTask({ name, verdict: 'starter-defect', message: 'passed before the solution was applied', output: outputOf(this.task(name)) });
    }
    return defects;
  }

  private async applySolution(): Promise<void> {
    this.solutionStart = Date.now();
    const steps = this.tc.solution.steps;
    for (const [i, step] of steps.entries()) {
      if (this.signal.aborted) throw new CaseFailure('solution', 'stopped');
      this.emit({ phase: 'solution', detail: `${this.tc.solution.name}: ${step.label} (${i + 1}/${steps.length})` });
      if (step.kind === 'wait') {
        const reply = await this.waitFor(step.task);
        if (reply !== 'ok') throw new CaseFailure('solution', `${step.label}: ${reply.replace(/^fail /, '')}`);
        continue;
      }
      await this.runStep(step);
    }
  }

  private async runStep(step: Extract<SolutionStep, { kind: 'run' }>): Promise<void> {
    const record = this.watch!.record!;
    const machine = step.machine ?? this.tc.defaultMachine ?? record.machines[0]?.name ?? '';
    const m = record.machines.find((x) => x.name === machine);
    if (!m)
      throw new CaseFailure(
        'solution',
        `${step.label}: the playground has no machine "${machine}" (machines: ${record.machines.map((x) => x.name).join(', ')})`,
      );
    const user = step.user ?? m.defaultUser;
    const nonce = crypto.randomBytes(8).toString('hex');
    const program = solutionProgram(step.script, {
      nonce,
      mode: step.mode,
      env: { SANDLOT_TEST_RUN: String(this.tc.run), SANDLOT_TEST_REPEAT: String(this.tc.repeat), SANDLOT_PLAYGROUND: record.id },
    });
    const attempts = 1 + (step.retry ?? 0);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let ssh: Client;
      try {
        ssh = await this.connect(record, m.name, user);
      } catch (err) {
        this.drop(`${machine}/${user}`);
        if (attempt < attempts) {
          await sleep(1000);
          continue;
        }
        throw new CaseFailure('solution', `${step.label}: cannot log in to ${machine} as ${user}: ${errorMessage(err)}`);
      }
      const outcome = await runStep(ssh, program, nonce, (req) => this.answer(req), { timeoutMs: STEP_MS, signal: this.signal });
      this.solutionOutput += `\n==== ${step.label} on ${machine} as ${user}${attempts > 1 ? ` (attempt ${attempt})` : ''} ====\n${outcome.output}`;
      // A connection that broke (a reboot, a timeout) is not used again.
      if (outcome.error) this.drop(`${machine}/${user}`);
      await this.nudge('solution');
      if (outcome.code === 0 && !outcome.error) return;
      if (attempt < attempts) {
        await sleep(1000);
        continue;
      }
      // Terminal-style steps run every command whatever it returns: their verdict is the tasks'.
      if (step.mode === 'terminal' && !outcome.error) return;
      const why = outcome.error ?? `exited with code ${outcome.code}`;
      throw new CaseFailure('solution', `${step.label} on ${machine} as ${user} ${why}`, outcome.output);
    }
  }

  private drop(key: string): void {
    void this.ssh
      .get(key)
      ?.then((s) => s.end())
      .catch(() => undefined);
    this.ssh.delete(key);
  }

  /** Answers a script's `examinerctl` request. */
  private async answer(req: ControlRequest): Promise<string> {
    if (!this.tc.tasks.some((t) => t.name === req.task) && !this.watch!.tasks[req.task]) {
      return `fail unknown task "${req.task}" (tasks: ${this.tc.tasks.map((t) => t.name).join(', ')})`;
    }
    if (req.verb === 'wait') return this.waitFor(req.task, req.timeoutMs);
    const record = await this.o.client.submitTaskInput(this.id!, req.task, req.value);
    if (record.status === 'completed') this.rejected.delete(req.task);
    else this.rejected.set(req.task, `the answer ${JSON.stringify(tail(req.value.trim(), 80))} was not accepted${describeOutput(record)}`);
    return 'ok';
  }

  /** `ok` once the task completed; `fail …` when it failed, its answer was refused, or time ran out. */
  private async waitFor(task: string, timeoutMs?: number): Promise<string> {
    const spec = this.tc.tasks.find((t) => t.name === task);
    const ms = timeoutMs ?? (spec?.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_S) * 1000;
    await this.nudge('solution');
    try {
      return await this.until(
        () => {
          const t = this.task(task);
          if (t.status === 'completed') return 'ok';
          if (t.status === 'failed') return `fail task ${task} failed${describeOutput(t)}`;
          const refused = this.rejected.get(task);
          if (refused && t.status === 'created') return `fail ${task}: ${refused}`;
          return undefined;
        },
        ms,
        () => `task ${task} did not complete within ${Math.round(ms / 1000)} s${describeOutput(this.task(task))}`,
        'solution',
        () => [task],
      );
    } catch (err) {
      if (err instanceof WatchError) return `fail ${err.message}`;
      throw err;
    }
  }

  /** Every regular task completes, each within its timeout after the solution was applied. */
  private async checks(): Promise<void> {
    this.emit({ phase: 'checks' });
    const solved = Date.now();
    const deadline = (s: TestCase['tasks'][number]) => solved + s.timeoutSeconds * 1000;
    const expired = new Set<string>();
    const open = () => this.tc.tasks.filter((s) => !expired.has(s.name) && this.task(s.name).status !== 'completed');
    while (open().length > 0) {
      const next = Math.min(...open().map(deadline));
      try {
        await this.until(
          () => {
            const failed = this.tc.tasks.find((s) => this.task(s.name).status === 'failed');
            if (failed) throw new CaseFailure('checks', `${failed.name} failed${describeOutput(this.task(failed.name))}`);
            if (this.watch!.record?.content?.state === 'failed') throw new CaseFailure('checks', this.watch!.record.content.error ?? 'the content failed');
            return open().length === 0 ? true : undefined;
          },
          Math.max(0, next - Date.now()),
          () => 'timed out',
          'checks',
          () => open().map((s) => s.name),
        );
      } catch (err) {
        if (!(err instanceof WatchTimeout)) throw err;
        // Each task has its own time: those past theirs fail, the others may still pass.
        for (const s of open().filter((x) => deadline(x) <= Date.now())) {
          expired.add(s.name);
          const t = this.task(s.name);
          this.setTask({ name: s.name, verdict: 'failed', message: `did not complete within ${s.timeoutSeconds} s after the solution`, output: outputOf(t) });
        }
      }
    }
    for (const s of this.tc.tasks) {
      const at = this.watch!.completedAt.get(s.name);
      if (at !== undefined && at > deadline(s)) {
        this.setTask({
          name: s.name,
          verdict: 'failed',
          ms: at - this.solutionStart,
          message: `completed ${Math.round((at - solved) / 1000)} s after the solution, more than its ${s.timeoutSeconds} s timeout`,
        });
      }
    }
  }

  // ---- helpers ----

  private task(name: string): TaskRecord {
    return this.watch?.tasks[name] ?? { name, kind: 'regular', machine: '', user: '', status: 'created', runs: 0 };
  }

  private setTask(t: TaskResult): void {
    if (this.taskResults.get(t.name)?.verdict === 'starter-defect') return;
    this.taskResults.set(t.name, t);
    this.o.emit({ type: 'task', label: this.tc.label, run: this.tc.run, task: t });
  }

  private finalTasks(failure: CaseFailure | undefined): TaskResult[] {
    return this.tc.tasks.map((s) => {
      const decided = this.taskResults.get(s.name);
      if (decided) return decided;
      const t = this.task(s.name);
      const at = this.watch?.completedAt.get(s.name);
      let r: TaskResult;
      if (t.status === 'completed' && at !== undefined) r = { name: s.name, verdict: 'passed', ms: Math.max(0, at - this.solutionStart) };
      else if (!this.solutionStart) r = { name: s.name, verdict: 'not-run', message: `not checked: ${failure?.message ?? 'the test stopped early'}` };
      else {
        const why =
          t.status === 'failed'
            ? `failed${t.error ? `: ${t.error}` : ''}`
            : s.input && t.runs === 0
              ? 'waits for an answer the solution never gave (examinerctl task input in a .solution.sh)'
              : this.rejected.has(s.name)
                ? this.rejected.get(s.name)!
                : t.status === 'blocked'
                  ? `blocked: waiting for ${(t.waitingFor ?? []).join(', ')}`
                  : 'did not complete';
        r = { name: s.name, verdict: 'failed', message: why, output: outputOf(t) };
      }
      this.o.emit({ type: 'task', label: this.tc.label, run: this.tc.run, task: r });
      return r;
    });
  }

  private async nudge(reason: string): Promise<void> {
    const machine = this.tc.defaultMachine ?? this.watch?.record?.machines[0]?.name;
    if (!this.id || !machine) return;
    try {
      await this.o.client.machineChanged(this.id, machine, { reason });
    } catch {
      // The periodic checks carry on without it.
    }
  }

  private connect(record: PlaygroundRecord, machine: string, user: string): Promise<Client> {
    const key = `${machine}/${user}`;
    let c = this.ssh.get(key);
    if (!c) {
      c = connectMachine(this.o.client, record, machine, user);
      c.catch(() => undefined);
      this.ssh.set(key, c);
    }
    return c;
  }

  private until<T>(check: () => T | undefined, ms: number, timeout: () => string, phase: Phase, pending?: () => string[]): Promise<T> {
    return this.watch!.until(check, ms, timeout, {
      signal: this.signal,
      ...(pending
        ? { onTick: (elapsedMs: number) => this.o.emit({ type: 'pending', label: this.tc.label, run: this.tc.run, phase, waiting: pending(), elapsedMs }) }
        : {}),
    });
  }

  private async cleanup(): Promise<void> {
    for (const c of this.ssh.values()) void c.then((s) => s.end()).catch(() => undefined);
    this.ssh.clear();
    this.watch?.close();
    if (!this.id) return;
    this.emit({ phase: 'destroy', detail: this.id });
    try {
      await this.o.client.destroy(this.id);
    } catch (err) {
      this.o.emit({ type: 'note', message: `${this.tc.label}: could not destroy ${this.id}: ${errorMessage(err)} (sandlot destroy ${this.id})` });
    }
  }
}

function outputOf(t: TaskRecord): string | undefined {
  const parts = [t.hint ? `hint: ${t.hint.trim()}` : '', t.stdout?.trim() ?? '', t.stderr?.trim() ?? '', t.error ? `(${t.error})` : ''].filter(Boolean);
  return parts.length ? tail(parts.join('\n'), OUTPUT_TAIL) : undefined;
}

function describeOutput(t: TaskRecord): string {
  const out = outputOf(t);
  return out ? `; last check: ${out.split('\n').slice(-3).join(' | ')}` : '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
