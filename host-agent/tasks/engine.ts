// The task engine of one playground running content. Init tasks run once along their
// `needs` DAG (independent ones in parallel) and the content is `ready` only when all
// passed; a failed init task fails the start with its output. Regular tasks then re-run
// about every second until they exit 0; helper tasks loop, hidden, for as long as the
// engine runs. Every change of a task is reported through `onTask`, which the agent
// persists in the playground record and streams as a `task` event.
import type { ContentState, TaskRecord, TaskStatus } from '../api/protocol';
import type { TaskSpec } from '../content/model';
import { unmetNeeds } from './dag';
import { buildProgram } from './program';
import { tail, type ScriptResult, type ScriptRunner } from './runner';
import { renderEnv, renderScript, shellQuote, TemplateError, type TemplateContext } from './template';
import { errorMessage } from '../util/errors';

/** Re-run period of regular and helper tasks ("about every second"). */
export const DEFAULT_INTERVAL_MS = 1000;
/** Least pause between two runs of one task, so a slow check cannot spin. */
const MIN_GAP_MS = 100;
const DEFAULT_TIMEOUT_S: Record<TaskSpec['kind'], number> = { init: 300, regular: 60, helper: 60 };
/** Hints are one short line in the UI; keep the stored one small. */
const HINT_LIMIT = 2000;

export interface TaskEngineOptions {
  tasks: Record<string, TaskSpec>;
  /** Machine for tasks that name none (the playground's first). */
  defaultMachine: string;
  runner: ScriptRunner;
  intervalMs?: number;
  /** Task records from the playground record after an agent restart. */
  resume?: Record<string, TaskRecord>;
  onTask?: (record: TaskRecord) => void;
  onContent?: (state: ContentState, message?: string) => void;
}

export class InitTaskFailedError extends Error {
  constructor(readonly record: TaskRecord) {
    super(describeFailure(record));
    this.name = 'InitTaskFailedError';
  }
}

function describeFailure(r: TaskRecord): string {
  const why = r.error ?? (r.exitCode === null ? 'was killed' : `exited with code ${r.exitCode}`);
  const output = [r.stderr?.trim(), r.stdout?.trim()].filter(Boolean).join('\n');
  return `init task "${r.name}" on ${r.machine} ${why}${output ? `:\n${tail(output, 4000)}` : ''}`;
}

interface PendingInput {
  value: string;
  done: ((r: TaskRecord) => void)[];
}

export class TaskEngine {
  private readonly records = new Map<string, TaskRecord>();
  private readonly specs: Record<string, TaskSpec>;
  private readonly interval: number;
  private readonly abort = new AbortController();
  /** Sleeping loops, each with the task it checks (helpers and blocked loops wake on any change). */
  private readonly waiters = new Map<() => void, string | undefined>();
  /** Regular tasks to check again as soon as their current run ends (something changed meanwhile). */
  private readonly again = new Set<string>();
  private readonly inputs = new Map<string, PendingInput>();
  private loops: Promise<void>[] = [];
  private contentState: ContentState = 'initializing';

  constructor(private readonly opts: TaskEngineOptions) {
    this.specs = opts.tasks;
    this.interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    for (const spec of Object.values(this.specs)) {
      const previous = opts.resume?.[spec.name];
      this.records.set(spec.name, previous ? { ...previous } : this.freshRecord(spec));
    }
  }

  get state(): ContentState {
    return this.contentState;
  }

  snapshot(): Record<string, TaskRecord> {
    return Object.fromEntries([...this.records].map(([k, v]) => [k, { ...v }]));
  }

  /**
   * Runs the init tasks that have not passed yet and starts the loops. Resolves when the
   * content is ready; rejects with InitTaskFailedError when an init task fails.
   */
  async start(): Promise<void> {
    if ([...this.records.values()].some((r) => r.status === 'failed' && this.specs[r.name].kind !== 'helper')) {
      const failed = [...this.records.values()].find((r) => r.status === 'failed')!;
      this.setContent('failed', failed.error ?? `task "${failed.name}" failed`);
      if (this.specs[failed.name].kind === 'init') throw new InitTaskFailedError(failed);
      return;
    }
    this.setContent('initializing');
    await this.runInitTasks();
    if (this.abort.signal.aborted) return;
    this.setContent('ready');
    for (const spec of Object.values(this.specs)) {
      if (spec.kind === 'regular') this.loops.push(this.regularLoop(spec));
      if (spec.kind === 'helper') this.loops.push(this.helperLoop(spec));
    }
    this.checkCompleted();
  }

  /** Stops every loop and running script; records keep their last state. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeAll();
    for (const [name, p] of this.inputs) p.done.forEach((d) => d({ ...this.record(name) }));
    this.inputs.clear();
    await Promise.allSettled(this.loops);
  }

  /**
   * Something happened that may satisfy pending checks (a command finished in a terminal, a
   * file was saved, an answer was given): every pending regular task is checked now — a
   * sleeping loop wakes, a running check is followed at once by another (its result may
   * predate the change). Each task still has one loop, so no task runs twice at once.
   * Returns the tasks that will be checked.
   */
  nudge(): string[] {
    if (this.abort.signal.aborted || this.contentState !== 'ready') return [];
    const due: string[] = [];
    for (const spec of Object.values(this.specs)) {
      if (spec.kind !== 'regular' || spec.input) continue;
      const r = this.record(spec.name);
      if (r.status === 'completed' || r.status === 'failed' || r.status === 'blocked') continue;
      this.again.add(spec.name);
      due.push(spec.name);
    }
    this.wake(new Set(due));
    return due;
  }

  /** Submits a learner's answer to a user-input task; resolves with the task after the check ran. */
  submitInput(task: string, value: string): Promise<TaskRecord> {
    const spec = this.specs[task];
    if (!spec) return Promise.reject(new Error(`unknown task "${task}" (expected one of ${Object.keys(this.specs).join(', ')})`));
    if (!spec.input) return Promise.reject(new Error(`task "${task}" does not take input (it is not a ::user-input-task)`));
    const record = this.record(task);
    if (record.status === 'completed' || record.status === 'failed') return Promise.resolve({ ...record });
    if (this.abort.signal.aborted) return Promise.reject(new Error('the content is stopped'));
    return new Promise((resolve) => {
      const pending = this.inputs.get(task);
      // A newer answer replaces one that has not been checked yet.
      this.inputs.set(task, { value, done: [...(pending?.done ?? []), resolve] });
      // An answer may satisfy other checks too (one that reads the answer's file).
      this.nudge();
      this.wakeAll();
    });
  }

  // ---- init ----

  private async runInitTasks(): Promise<void> {
    const init = Object.values(this.specs).filter((s) => s.kind === 'init');
    const initAbort = new AbortController();
    const onStop = () => initAbort.abort();
    this.abort.signal.addEventListener('abort', onStop);
    const results = new Map<string, Promise<boolean>>();
    let failure: TaskRecord | undefined;

    const runOne = (name: string): Promise<boolean> => {
      const existing = results.get(name);
      if (existing) return existing;
      const promise = (async () => {
        const spec = this.specs[name];
        if (this.record(name).status === 'completed') return true;
        const unmet = unmetNeeds(spec, (n) => this.records.get(n)?.status);
        if (unmet.length > 0) this.update(name, { status: 'blocked', waitingFor: unmet });
        const needsOk = (await Promise.all(spec.needs.map(runOne))).every(Boolean);
        if (!needsOk || initAbort.signal.aborted) return false;
        const started = Date.now();
        this.update(name, { status: 'running', waitingFor: undefined, startedAt: this.record(name).startedAt ?? new Date(started).toISOString() });
        const result = await this.runScript(spec, spec.run, initAbort.signal);
        const ok = result.code === 0;
        this.update(name, {
          ...this.outcome(result, started),
          status: ok ? 'completed' : initAbort.signal.aborted && !result.timedOut ? 'created' : 'failed',
          ...(ok ? { completedAt: new Date().toISOString() } : {}),
        });
        if (!ok && !failure && !this.abort.signal.aborted) {
          failure = this.record(name);
          initAbort.abort(); // the start has failed: do not wait for the other init tasks
        }
        return ok;
      })();
      results.set(name, promise);
      return promise;
    };

    try {
      await Promise.all(init.map((s) => runOne(s.name)));
    } finally {
      this.abort.signal.removeEventListener('abort', onStop);
    }
    if (failure) {
      const error = new InitTaskFailedError(failure);
      this.setContent('failed', error.message);
      throw error;
    }
  }

  // ---- loops ----

  private async regularLoop(spec: TaskSpec): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const record = this.record(spec.name);
      if (record.status === 'completed' || record.status === 'failed') return;
      const unmet = unmetNeeds(spec, (n) => this.records.get(n)?.status);
      if (unmet.length > 0) {
        this.update(spec.name, { status: 'blocked', waitingFor: unmet });
        await this.pause(this.interval);
        continue;
      }
      const input = spec.input ? this.inputs.get(spec.name) : undefined;
      if (spec.input && !input) {
        this.update(spec.name, { status: 'created', waitingFor: undefined });
        await this.pause(); // until an answer arrives
        continue;
      }
      if (input) this.inputs.delete(spec.name);
      // This run sees every change made so far.
      this.again.delete(spec.name);
      const started = Date.now();
      this.update(spec.name, { status: 'running', waitingFor: undefined, startedAt: record.startedAt ?? new Date(started).toISOString() });

      if (spec.failcheck !== undefined) {
        const check = await this.runScript(spec, spec.failcheck, signal, input?.value);
        if (signal.aborted) return this.answer(input, spec.name);
        if (check.code !== null && check.code !== 0) {
          this.update(spec.name, { ...this.outcome(check, started), status: 'failed', error: `failcheck exited with code ${check.code}` });
          this.setContent('failed', `task "${spec.name}" failed its failcheck`);
          this.answer(input, spec.name);
          return;
        }
      }
      const result = await this.runScript(spec, spec.run, signal, input?.value, input ? spec.input?.destination : undefined);
      if (signal.aborted) return this.answer(input, spec.name);
      if (result.code === 0) {
        this.update(spec.name, { ...this.outcome(result, started), status: 'completed', hint: undefined, completedAt: new Date().toISOString() });
        this.answer(input, spec.name);
        this.wakeAll(); // tasks blocked on this one can go now
        this.checkCompleted();
        return;
      }
      let hint: string | undefined;
      if (spec.hintcheck !== undefined) {
        const h = await this.runScript(spec, spec.hintcheck, signal, input?.value);
        hint = tail(h.stdout.trim(), HINT_LIMIT) || undefined;
      }
      this.update(spec.name, { ...this.outcome(result, started), status: spec.input ? 'created' : 'running', hint });
      this.answer(input, spec.name);
      if (this.again.has(spec.name)) continue; // nudged while it ran: its result may predate the change
      await this.pause(Math.max(this.interval - (Date.now() - started), MIN_GAP_MS), spec.name);
    }
  }

  private async helperLoop(spec: TaskSpec): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const started = Date.now();
      const unmet = unmetNeeds(spec, (n) => this.records.get(n)?.status);
      if (unmet.length > 0) {
        this.update(spec.name, { status: 'blocked', waitingFor: unmet });
      } else {
        this.update(spec.name, { status: 'running', waitingFor: undefined, startedAt: this.record(spec.name).startedAt ?? new Date(started).toISOString() });
        const result = await this.runScript(spec, spec.run, signal);
        if (signal.aborted) return;
        this.update(spec.name, this.outcome(result, started));
      }
      await this.pause(Math.max(this.interval - (Date.now() - started), MIN_GAP_MS));
    }
  }

  // ---- running one script ----

  private async runScript(spec: TaskSpec, script: string, signal: AbortSignal, input?: string, destination?: string): Promise<ScriptResult> {
    const needs: TemplateContext['needs'] = {};
    for (const n of spec.needs) {
      const r = this.records.get(n);
      if (r?.status === 'completed') needs[n] = { stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    }
    const ctx: TemplateContext = { needs, ...(input !== undefined ? { input } : {}) };
    let program: string;
    try {
      const env = renderEnv(spec.env, ctx);
      const rendered = renderScript(script, ctx);
      let body = rendered.script;
      if (destination !== undefined && input !== undefined) {
        // The answer is also left in a file for scripts that read it from there.
        env.SANDLOT_INPUT = input;
        body = `mkdir -p "$(dirname ${shellQuote(destination)})" && printf '%s\\n' "$SANDLOT_INPUT" > ${shellQuote(destination)} || exit 1\n${body}`;
      }
      program = buildProgram(body, { ...env, ...rendered.env });
    } catch (err) {
      if (err instanceof TemplateError) return { code: null, stdout: '', stderr: '', error: err.message };
      throw err;
    }
    const timeoutMs = (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_S[spec.kind]) * 1000;
    try {
      return await this.opts.runner.run({ machine: spec.machine ?? this.opts.defaultMachine, user: spec.user, program, timeoutMs, signal });
    } catch (err) {
      return { code: null, stdout: '', stderr: '', error: errorMessage(err) };
    }
  }

  private outcome(result: ScriptResult, started: number): Partial<TaskRecord> {
    return {
      exitCode: result.code,
      stdout: tail(result.stdout),
      stderr: tail(result.stderr),
      durationMs: Date.now() - started,
      error: result.timedOut ? 'timed out' : result.error,
    };
  }

  // ---- state ----

  private freshRecord(spec: TaskSpec): TaskRecord {
    return {
      name: spec.name,
      kind: spec.kind,
      machine: spec.machine ?? this.opts.defaultMachine,
      user: spec.user,
      status: 'created',
      ...(spec.kind === 'helper' ? { hidden: true } : {}),
      ...(spec.input ? { input: true } : {}),
      runs: 0,
    };
  }

  private record(name: string): TaskRecord {
    return this.records.get(name)!;
  }

  /** Applies a change; reports the task only when something a learner could see changed. */
  private update(name: string, patch: Partial<TaskRecord>): void {
    const before = this.record(name);
    const after: TaskRecord = { ...before, ...patch };
    // A patch clears a field by setting it undefined; the record keeps no such keys.
    for (const k of Object.keys(after)) if (Reflect.get(after, k) === undefined) Reflect.deleteProperty(after, k);
    if (patch.exitCode !== undefined || 'durationMs' in patch) after.runs = before.runs + 1;
    this.records.set(name, after);
    const visible: (keyof TaskRecord)[] = ['status', 'exitCode', 'hint', 'stdout', 'stderr', 'error', 'waitingFor'];
    if (visible.some((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))) this.opts.onTask?.({ ...after });
  }

  private setContent(state: ContentState, message?: string): void {
    if (this.contentState === state) return;
    this.contentState = state;
    this.opts.onContent?.(state, message);
  }

  private checkCompleted(): void {
    const regular = Object.values(this.specs).filter((s) => s.kind === 'regular');
    if (this.contentState !== 'ready') return;
    if (regular.length > 0 && regular.every((s) => this.record(s.name).status === 'completed')) this.setContent('completed');
  }

  private answer(input: PendingInput | undefined, name: string): void {
    if (!input) return;
    const r = { ...this.record(name) };
    input.done.forEach((d) => d(r));
  }

  /**
   * Sleeps until `ms` passed (forever when undefined), a task changed, the engine stops,
   * or — for the loop of `task` — that task is nudged.
   */
  private pause(ms?: number, task?: string): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, ms);
      this.waiters.set(done, task);
    });
  }

  private wakeAll(): void {
    for (const w of [...this.waiters.keys()]) w();
  }

  /** Wakes the sleeping loops of these tasks only (helpers keep their pace). */
  private wake(tasks: Set<string>): void {
    for (const [w, task] of [...this.waiters]) if (task !== undefined && tasks.has(task)) w();
  }

  /** For status displays: how many visible tasks are done. */
  progress(): { done: number; total: number } {
    const visible = [...this.records.values()].filter((r) => r.kind === 'regular');
    return { done: visible.filter((r) => r.status === 'completed').length, total: visible.length };
  }
}

export function isTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed';
}
