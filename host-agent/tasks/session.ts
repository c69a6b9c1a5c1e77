// Content running on playgrounds: one TaskEngine per playground, its task records kept
// in the playground record (so an agent restart resumes them) and every change streamed
// as `task` / `content` events. The agent supplies storage, events and SSH through
// ContentHost; this module holds no playground logic of its own.
import type { ContentRecord, ContentState, PlaygroundEvent, PlaygroundRecord, TaskRecord } from '../api/protocol';
import type { ContentMeta } from '../content/model';
import { errorMessage } from '../util/errors';
import { TaskEngine, type TaskEngineOptions } from './engine';
import type { ScriptRunner } from './runner';

export interface ContentHost {
  record(id: string): PlaygroundRecord | undefined;
  /**
   * Applies `change` to the live record at once (readers see it before the next event)
   * and resolves when it is persisted. Saves must land in call order.
   */
  updateRecord(id: string, change: (record: PlaygroundRecord) => void): Promise<void>;
  emit(id: string, event: PlaygroundEvent): void;
  /** A runner into the playground's machines (the agent's SSH connections). */
  runner(id: string): ScriptRunner;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

interface Session {
  engine: TaskEngine;
  content: ContentMeta;
  /** The whole document as JSON text, served as it is. */
  json: string;
  runner: ScriptRunner;
  /** Record writes in order: a later state must not be overwritten by an earlier one. */
  writes: Promise<void>;
}

interface StartOptions {
  source: string;
  defaultMachine: string;
  /** The whole document as JSON text, served as it is. */
  json: string;
  /** true: keep the task records in the playground record (agent restart); records: keep these. */
  resume?: boolean | Record<string, TaskRecord>;
  /** Bumped on each reload, so viewers know to fetch the document again. */
  revision?: number;
}

export class ContentSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly host: ContentHost,
    private readonly engineOptions: Pick<TaskEngineOptions, 'intervalMs'> = {},
  ) {}

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  content(id: string): ContentMeta | undefined {
    return this.sessions.get(id)?.content;
  }

  /** The running content's whole document as JSON text. */
  json(id: string): string | undefined {
    return this.sessions.get(id)?.json;
  }

  /**
   * Starts content on a running playground: records it, runs its init tasks and starts
   * its checks. Resolves when the content is ready; rejects when an init task failed.
   * With `resume`, task records already in the playground record are kept (agent restart).
   */
  async start(id: string, content: ContentMeta, opts: StartOptions): Promise<void> {
    await (
      await this.begin(id, content, opts)
    ).ready;
  }

  /**
   * Swaps the content of a playground for a newer version of it (the author saved a file):
   * a task whose program did not change and that was completed stays completed; every other
   * task starts over; tasks the new version no longer has disappear. Resolves once the new
   * version is recorded (its init tasks and checks then run on their own); `ready` settles
   * as `start` does.
   */
  async reload(id: string, content: ContentMeta, opts: Omit<StartOptions, 'resume' | 'revision'>): Promise<{ ready: Promise<void> }> {
    const record = this.host.record(id);
    if (!record) throw new Error(`no playground "${id}"`);
    const before = this.sessions.get(id)?.content.tasks;
    const kept: Record<string, TaskRecord> = {};
    for (const [name, spec] of Object.entries(content.tasks)) {
      const previous = record.tasks?.[name];
      if (before?.[name] && previous?.status === 'completed' && JSON.stringify(before[name]) === JSON.stringify(spec)) kept[name] = previous;
    }
    return this.begin(id, content, { ...opts, resume: kept, revision: (record.content?.revision ?? 0) + 1 });
  }

  private async begin(id: string, content: ContentMeta, opts: StartOptions): Promise<{ ready: Promise<void> }> {
    await this.stop(id);
    const record = this.host.record(id);
    if (!record) throw new Error(`no playground "${id}"`);
    const previous = opts.resume === true ? record.tasks : opts.resume || undefined;
    const runner = this.host.runner(id);
    // The engine reports through the session it belongs to, made right after it.
    const made: { session?: Session } = {};
    const engine = new TaskEngine({
      ...this.engineOptions,
      tasks: content.tasks,
      defaultMachine: opts.defaultMachine,
      runner,
      ...(previous ? { resume: previous } : {}),
      onTask: (task) => made.session && this.onTask(id, made.session, task),
      onContent: (state, message) => made.session && this.onContent(id, made.session, state, message),
    });
    const session: Session = { content, json: opts.json, runner, writes: Promise.resolve(), engine };
    made.session = session;
    this.sessions.set(id, session);
    const revision = opts.revision ?? record.content?.revision;
    const contentRecord: ContentRecord = {
      name: content.name,
      kind: content.kind,
      title: content.title,
      source: opts.source,
      state: opts.resume === true ? (record.content?.state ?? 'initializing') : 'initializing',
      ...(revision !== undefined ? { revision } : {}),
    };
    const tasks = session.engine.snapshot();
    this.write(id, session, (r) => {
      r.content = contentRecord;
      r.tasks = tasks;
    });
    await session.writes;
    this.host.emit(id, { type: 'snapshot', at: new Date().toISOString(), playground: this.host.record(id)! });
    return { ready: session.engine.start() };
  }

  /** Stops the checks of a playground's content (machines keep running). */
  async stop(id: string, opts: { markStopped?: boolean } = {}): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.engine.stop();
    session.runner.close?.();
    if (opts.markStopped) {
      this.write(
        id,
        session,
        (r) => {
          if (r.content && r.content.state !== 'completed' && r.content.state !== 'failed') r.content.state = 'stopped';
        },
        { type: 'content', at: new Date().toISOString(), state: 'stopped' },
      );
    }
    await session.writes;
  }

  async submitInput(id: string, task: string, value: string): Promise<TaskRecord> {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`playground "${id}" runs no content`);
    return session.engine.submitInput(task, value);
  }

  /** Checks the pending tasks of a playground's content now; the names of those checked. */
  nudge(id: string): string[] {
    return this.sessions.get(id)?.engine.nudge() ?? [];
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
  }

  private onTask(id: string, session: Session, task: TaskRecord): void {
    if (this.sessions.get(id) !== session) return;
    this.write(
      id,
      session,
      (r) => {
        r.tasks = { ...(r.tasks ?? {}), [task.name]: task };
      },
      { type: 'task', at: new Date().toISOString(), task },
    );
  }

  private onContent(id: string, session: Session, state: ContentState, message?: string): void {
    if (this.sessions.get(id) !== session) return;
    this.write(
      id,
      session,
      (r) => {
        if (!r.content) return;
        r.content.state = state;
        if (state === 'failed' && message) r.content.error = message;
        else delete r.content.error;
      },
      { type: 'content', at: new Date().toISOString(), state, ...(message ? { message } : {}) },
    );
    this.host.log?.(state === 'failed' ? 'warn' : 'info', `${id}: content ${session.content.name} ${state}${message ? `: ${message}` : ''}`);
  }

  /**
   * Changes the record and announces `event` once the change is on disk, in call order:
   * a client that saw a task complete must find it completed after an agent crash.
   */
  private write(id: string, session: Session, change: (r: PlaygroundRecord) => void, event?: PlaygroundEvent): void {
    const saved = this.host.updateRecord(id, change);
    session.writes = session.writes
      .then(() => saved)
      .catch((err: unknown) => this.host.log?.('error', `${id}: saving task state failed: ${errorMessage(err)}`))
      .then(() => event && this.host.emit(id, event));
  }
}
