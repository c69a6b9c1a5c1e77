// Follows the open content's playground (one event stream) and keeps every tutorial
// webview (sidebar view, editor panel) in step with it. Webviews say `ready`, the host
// answers with the whole view; after that only task/content changes are posted, and the
// whole view again whenever a webview becomes visible (no retainContextWhenHidden).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLOSE_PLAYGROUND_GONE, type ContentSummary, type PlaygroundEvent, type PlaygroundRecord, type TaskRecord } from '../../host-agent/api/protocol';
import { formatProblem } from '../../host-agent/content/errors';
import { isRunnable, type Content, type Course, type SkillPath } from '../../host-agent/content/model';
import type { EditorContent } from '../content-diagnostics/editor-content';
import type { AgentConnection } from '../agent-client/connection';
import { errorMessage } from '../log';
import type { MachineSessions } from '../remote/ssh-session';
import { DisposableStore, toDisposable } from '../util/disposables';
import { openHostEnd, type HostEnd } from '../../webviews/shared/channel';
import type { AnswerVerdict, CatalogEntry, ReadingView, ToWebview, TutorialProtocol, TutorialView } from '../../webviews/tutorial/protocol';
import { ANY_TEMPLATE } from './preview-view';
import { courseView, pathView, READ_ONLY_KINDS, startableSources } from './reading-view';
import { assetUris, configureTutorialWebview, setTutorialHtml } from './webview-setup';
import { answerVerdict } from './answer-verdict';
import { dueAutoRuns } from './auto-run';
import { targetMachine } from './target-machine';
import { runInMachineTerminal } from './terminal';

const CURRENT_KEY = 'sandlot.tutorial.playground';
/** The folder of the skill path or course being read, when that is what the view shows. */
const READING_KEY = 'sandlot.tutorial.reading';
/** Playground → the skill path or course it was started from, for the way back. */
const FROM_KEY = 'sandlot.tutorial.from';
type StartedFrom = Record<string, { dir: string; title: string }>;
/** Foreground scripts already run, per playground, so a reload does not run them again. */
const autoRunKey = (playground: string) => `sandlot.tutorial.autoRun.${playground}`;
/** Re-follow a dropped event stream after this long (agent restart, network blip). */
const RECONNECT_MS = 2_000;

interface Opened {
  record: PlaygroundRecord;
  content: Content;
  tasks: Record<string, TaskRecord>;
}

/** A skill path or course being read, with the agent's catalog its references resolve against. */
interface Reading {
  doc: SkillPath | Course;
  catalog: ContentSummary[];
}

export class TutorialController implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  /** Every attached webview with its end of the channel. */
  private readonly webviews = new Map<vscode.Webview, HostEnd<TutorialProtocol>>();
  private opened: Opened | undefined;
  private reading: Reading | undefined;
  /** The agent's catalog as the empty view lists it. */
  private listed: CatalogEntry[] = [];
  private emptyReason = 'No tutorial is open.';
  private stopFollowing: (() => void) | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Foreground scripts queue here so that they reach the terminal in page order. */
  private autoRuns: Promise<void> = Promise.resolve();
  /** Bumped on every open so late replies for an older playground are dropped. */
  private generation = 0;

  constructor(
    private readonly agent: AgentConnection,
    private readonly sessions: MachineSessions,
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionUri: vscode.Uri,
    private readonly memento: vscode.Memento,
    private readonly editorContent: EditorContent,
  ) {
    this.owned.add(toDisposable(() => this.unfollow()));
    const saved = memento.get<string>(CURRENT_KEY);
    const savedReading = memento.get<string>(READING_KEY);
    if (savedReading) void this.openReading(savedReading).catch((err: unknown) => this.close(errorMessage(err)));
    else if (saved) void this.open(saved);
    // The remembered playground may be gone, or the agent not up yet: settle on first list.
    this.owned.add(agent.onDidChangePlaygrounds((list) => this.onPlaygrounds(list)));
  }

  get playground(): string | undefined {
    return this.opened?.record.id ?? (this.reading ? undefined : this.memento.get<string>(CURRENT_KEY));
  }

  /** A folder's skill path or course; undefined when it holds content that runs (start that instead). */
  readReadable(dir: string): SkillPath | Course | undefined {
    const { document, problems } = this.editorContent.read(dir, this.editorContent.lookup() ?? ANY_TEMPLATE, []);
    if (!document) throw new Error(`Cannot read ${dir}: ${problems.slice(0, 3).map(formatProblem).join('; ')}`);
    return isRunnable(document) ? undefined : document;
  }

  /**
   * Shows a skill path (its units, each reference with its state) or a course (its pages)
   * in every tutorial webview. Missing references are shown, not refused.
   */
  async openReading(dir: string): Promise<void> {
    const gen = ++this.generation;
    this.unfollow();
    // Read from disk here; the agent only says what its names resolve to and what runs. Without
    // it (not up yet after a reload) the path still shows, and fills in once it answers.
    const doc = this.readReadable(dir);
    if (!doc) throw new Error(`${dir} holds content that runs on a playground: start it with "Sandlot: Open Tutorial…".`);
    const catalog = await this.agentCatalog(true);
    if (gen !== this.generation) return;
    this.opened = undefined;
    this.reading = { doc, catalog };
    void this.memento.update(CURRENT_KEY, undefined);
    void this.memento.update(READING_KEY, doc.dir);
    this.broadcastShow();
  }

  /** Shows a playground's content in every tutorial webview. */
  async open(playground: string): Promise<void> {
    const gen = ++this.generation;
    this.unfollow();
    this.reading = undefined;
    void this.memento.update(READING_KEY, undefined);
    void this.memento.update(CURRENT_KEY, playground);
    try {
      const api = await this.agent.ready();
      const [record, content] = await Promise.all([api.get(playground), api.content(playground)]);
      if (gen !== this.generation) return;
      this.opened = { record, content, tasks: visible(record.tasks ?? {}) };
      this.broadcastShow();
      this.autoRun();
      await this.follow(playground, gen);
    } catch (err) {
      if (gen !== this.generation) return;
      this.opened = undefined;
      this.showEmpty(`Cannot show the tutorial of ${playground}: ${errorMessage(err)}`);
    }
  }

  close(reason: string): void {
    this.generation++;
    this.unfollow();
    this.opened = undefined;
    this.reading = undefined;
    void this.memento.update(CURRENT_KEY, undefined);
    void this.memento.update(READING_KEY, undefined);
    this.showEmpty(reason);
  }

  /** Takes a webview (sidebar or panel) into the set kept in step; returns its release. */
  attach(webview: vscode.Webview, onVisible: vscode.Event<boolean>): vscode.Disposable {
    const store = new DisposableStore();
    this.configure(webview);
    setTutorialHtml(webview, this.extensionUri);
    const end = openHostEnd<TutorialProtocol>(webview, {
      notices: {
        ready: () => {
          this.sendState(webview);
          this.autoRun();
        },
        runInTerminal: (m) => void this.run(m.command, m.machine, m.interrupt),
        copy: (m) => void vscode.env.clipboard.writeText(m.text),
        openLink: (m) => {
          if (/^(https?:|mailto:)/i.test(m.url)) void vscode.env.openExternal(vscode.Uri.parse(m.url));
        },
        startContent: (m) => void this.startOffered(m.source),
        openPlayground: (m) => {
          if (this.agent.playgrounds.some((p) => p.id === m.playground)) void this.open(m.playground);
        },
        openCatalogEntry: (m) => this.openListed(m.source),
        openReading: () => {
          const from = this.opened && this.startedFrom()[this.opened.record.id];
          if (from) this.openReading(from.dir).catch((err: unknown) => void vscode.window.showErrorMessage(errorMessage(err)));
        },
      },
      requests: { submitInput: (p) => this.submit(p.task, p.value) },
      onRequestFailed: (method, err) => this.log.warn(`tutorial webview: ${method}: ${errorMessage(err)}`),
    });
    this.webviews.set(webview, end);
    store.add(
      toDisposable(() => {
        this.webviews.delete(webview);
        end.dispose();
      }),
    );
    store.add(onVisible((visible) => (visible ? this.sendState(webview) : undefined)));
    return this.owned.add(store);
  }

  dispose(): void {
    this.owned.dispose();
  }

  private onPlaygrounds(list: readonly PlaygroundRecord[]): void {
    // The way back from content started off a path is kept only while its playground is.
    const from = this.startedFrom();
    const gone = Object.keys(from).filter((id) => !list.some((p) => p.id === id));
    if (gone.length) void this.memento.update(FROM_KEY, Object.fromEntries(Object.entries(from).filter(([id]) => !gone.includes(id))));
    // A skill path shows where its content stands: started, finished, destroyed elsewhere.
    if (this.reading) {
      const r = this.reading;
      if (r.catalog.length === 0) void this.refillCatalog(r);
      return this.broadcastShow();
    }
    const id = this.playground;
    if (id && !list.some((p) => p.id === id)) {
      this.close(`Playground ${id} is gone. Open another tutorial with "Sandlot: Open Tutorial…".`);
    } else if (id && !this.opened && !this.stopFollowing && !this.reconnectTimer) {
      void this.open(id);
    } else if (!id) {
      // Nothing chosen yet: show the newest playground that runs content, if any.
      const withContent = list.filter((p) => p.content).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (withContent) void this.open(withContent.id);
    }
  }

  private async follow(playground: string, gen: number): Promise<void> {
    const api = this.agent.client();
    const stop = await api.events(
      playground,
      (e) => (gen === this.generation ? this.onEvent(e) : undefined),
      (code) => {
        if (gen !== this.generation) return;
        this.stopFollowing = undefined;
        if (code === CLOSE_PLAYGROUND_GONE) return this.close(`Playground ${playground} was destroyed.`);
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = setTimeout(() => {
          this.reconnectTimer = undefined;
          if (gen === this.generation && !this.owned.isDisposed) void this.open(playground);
        }, RECONNECT_MS);
      },
    );
    if (gen !== this.generation || this.owned.isDisposed) stop();
    else this.stopFollowing = stop;
  }

  private unfollow(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const stop = this.stopFollowing;
    this.stopFollowing = undefined;
    stop?.();
  }

  private onEvent(e: PlaygroundEvent): void {
    this.applyEvent(e);
    this.autoRun();
  }

  private applyEvent(e: PlaygroundEvent): void {
    const o = this.opened;
    if (!o) return;
    if (e.type === 'snapshot') {
      const reloaded = (e.playground.content?.revision ?? 0) !== (o.record.content?.revision ?? 0);
      o.record = e.playground;
      o.tasks = visible(e.playground.tasks ?? {});
      if (reloaded) void this.refetchContent(o);
      else this.broadcastShow();
    } else if (e.type === 'task') {
      if (e.task.hidden || e.task.kind === 'helper') return;
      o.tasks[e.task.name] = e.task;
      this.post({ kind: 'task', task: e.task });
    } else if (e.type === 'content' && o.record.content) {
      // A restarted content opens its pages again: their scripts run again too.
      if (e.state === 'initializing') void this.memento.update(autoRunKey(o.record.id), undefined);
      o.record.content = { ...o.record.content, state: e.state, error: e.state === 'failed' ? e.message : undefined };
      this.post({ kind: 'contentState', content: o.record.content });
    } else if (e.type === 'playground') {
      o.record.state = e.state;
    }
  }

  /** The content was reloaded in place (its author saved a file): show the new document where the old one was. */
  private async refetchContent(o: Opened): Promise<void> {
    const gen = this.generation;
    try {
      const content = await this.agent.client().content(o.record.id);
      if (gen !== this.generation || this.opened !== o) return;
      o.content = content;
    } catch (err) {
      this.log.warn(`tutorial: reading the reloaded content of ${o.record.id}: ${errorMessage(err)}`);
    }
    this.broadcastShow();
  }

  /**
   * Runs the foreground scripts of the pages the learner has reached, in order, once.
   * Only while a tutorial webview is attached: a window that merely remembers the
   * content must not type into terminals behind the learner's back.
   */
  private autoRun(): void {
    const o = this.opened;
    if (!o || this.webviews.size === 0 || o.record.state !== 'running') return;
    const key = autoRunKey(o.record.id);
    const done = new Set(this.memento.get<string[]>(key) ?? []);
    const due = dueAutoRuns(o.content.pages, o.tasks, o.record.content?.state, done);
    if (due.length === 0) return;
    for (const d of due) done.add(d.key);
    void this.memento.update(key, [...done]);
    const playground = o.record.id;
    for (const d of due) {
      this.autoRuns = this.autoRuns.then(() => (this.opened?.record.id === playground ? this.run(d.command, undefined, d.interrupt) : undefined));
    }
  }

  private async run(command: string, machine: string | undefined, interrupt?: boolean): Promise<void> {
    const o = this.opened;
    if (!o) return;
    const target = targetMachine({
      playground: o.record.id,
      machines: o.record.machines.filter((m) => !m.noSSH).map((m) => m.name),
      explicit: machine,
      activeTerminal: vscode.window.activeTerminal?.name,
      fallback: defaultMachine(o),
    });
    if (!target) return void vscode.window.showErrorMessage(`Playground ${o.record.id} has no machine to run in.`);
    try {
      await runInMachineTerminal(this.sessions, { playground: o.record.id, machine: target }, this.log, command, interrupt);
    } catch (err) {
      void vscode.window.showErrorMessage(`Run in terminal: ${errorMessage(err)}`);
    }
  }

  /** Checks an answer; a failure to check rejects, and the webview says "Not checked" with why. */
  private async submit(task: string, value: string): Promise<AnswerVerdict> {
    const o = this.opened;
    if (!o) throw new Error('no tutorial is open');
    const record = await this.agent.client().submitTaskInput(o.record.id, task, value);
    o.tasks[record.name] = record;
    this.post({ kind: 'task', task: record });
    return answerVerdict(record);
  }

  /** Starts content the skill path or course being read offers (nothing else), then shows it. */
  private async startOffered(source: string): Promise<void> {
    const r = this.reading;
    if (!r) return;
    if (!startableSources(this.readingView(r, {})).some((s) => path.resolve(s) === path.resolve(source))) {
      return this.log.warn(`tutorial webview: ${source} is not offered by ${r.doc.dir}; not started`);
    }
    await this.startAndOpen(source, { dir: r.doc.dir, title: r.doc.title });
  }

  /** The usual start (a progress notification, then the content in the view); `from` is the way back. */
  private async startAndOpen(source: string, from?: StartedFrom[string]): Promise<void> {
    try {
      const api = await this.agent.ready();
      const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting ${path.basename(source)}…` }, () =>
        api.startContent({ source }),
      );
      if (from) void this.memento.update(FROM_KEY, { ...this.startedFrom(), [record.id]: from });
      void this.agent.refresh();
      await this.open(record.id);
    } catch (err) {
      void vscode.window.showErrorMessage(`Start ${path.basename(source)}: ${errorMessage(err)}`);
    }
  }

  /** An entry the empty view listed: a skill path or course is read, the rest started. */
  private openListed(source: string): void {
    const entry = this.listed.find((c) => c.source === source);
    if (!entry) return this.log.warn(`tutorial webview: ${source} is not in the listed catalog; not opened`);
    if (READ_ONLY_KINDS.has(entry.kind)) this.openReading(source).catch((err: unknown) => void vscode.window.showErrorMessage(errorMessage(err)));
    else void this.startAndOpen(source);
  }

  /** Asks the agent for its catalog again and, while nothing is shown, lists it. */
  private async refreshListed(): Promise<void> {
    try {
      const list = await (await this.agent.ready()).builtinContent();
      this.listed = list.map((c) => ({ title: c.title, kind: c.kind, source: c.source }));
    } catch (err) {
      return this.log.info(`tutorial: no content catalog to list (${errorMessage(err)})`);
    }
    if (!this.opened && !this.reading) this.post({ kind: 'empty', reason: this.emptyReason, catalog: this.listed });
  }

  /** The agent's content catalog (with a fresh playground list when asked), or none while it cannot be reached. */
  private async agentCatalog(refresh: boolean): Promise<ContentSummary[]> {
    try {
      const api = await this.agent.ready();
      const [catalog] = await Promise.all([api.builtinContent(), refresh ? this.agent.refresh() : undefined]);
      return catalog;
    } catch (err) {
      this.log.info(`tutorial: no content catalog from the agent yet (${errorMessage(err)})`);
      return [];
    }
  }

  /** A path shown before the agent answered gets its catalog once it does. */
  private async refillCatalog(r: Reading): Promise<void> {
    // No refresh here: this runs on a playground list change, which a refresh fires.
    const catalog = await this.agentCatalog(false);
    if (this.reading !== r || catalog.length === 0) return;
    r.catalog = catalog;
    this.broadcastShow();
  }

  private startedFrom(): StartedFrom {
    return this.memento.get<StartedFrom>(FROM_KEY) ?? {};
  }

  private readingView(r: Reading, assets: Record<string, string>): ReadingView {
    return r.doc.kind === 'skill-path' ? pathView(r.doc, r.catalog, this.agent.playgrounds, assets) : courseView(r.doc, assets);
  }

  private configure(webview: vscode.Webview): void {
    // Images come from the content folder only; nothing else on disk is reachable.
    configureTutorialWebview(webview, this.extensionUri, this.opened?.content.dir ?? this.reading?.doc.dir);
  }

  private sendState(webview: vscode.Webview): void {
    const end = this.webviews.get(webview);
    if (!end) return;
    if (this.reading) {
      this.configure(webview);
      const assets = assetUris(this.reading.doc.dir, (file) => webview.asWebviewUri(vscode.Uri.file(file)).toString());
      return end.post({ kind: 'showReading', view: this.readingView(this.reading, assets) });
    }
    if (!this.opened) {
      void this.refreshListed();
      return end.post({ kind: 'empty', reason: this.emptyReason, catalog: this.listed });
    }
    this.configure(webview);
    end.post({ kind: 'show', view: this.viewFor(webview) });
  }

  private broadcastShow(): void {
    for (const w of this.webviews.keys()) this.sendState(w);
  }

  private showEmpty(reason: string): void {
    this.emptyReason = reason;
    this.post({ kind: 'empty', reason, catalog: this.listed });
    void this.refreshListed();
  }

  private post(m: ToWebview): void {
    for (const end of this.webviews.values()) end.post(m);
  }

  private viewFor(webview: vscode.Webview): TutorialView {
    const o = this.opened!;
    const from = this.startedFrom()[o.record.id];
    return {
      playground: o.record.id,
      title: o.content.title,
      kind: o.content.kind,
      content: o.record.content,
      pages: o.content.pages,
      tasks: o.tasks,
      assets: assetUris(o.content.dir, (file) => webview.asWebviewUri(vscode.Uri.file(file)).toString()),
      ...(from ? { from: { title: from.title } } : {}),
    };
  }
}

function visible(tasks: Record<string, TaskRecord>): Record<string, TaskRecord> {
  return Object.fromEntries(Object.entries(tasks).filter(([, t]) => !t.hidden && t.kind !== 'helper'));
}

function defaultMachine(o: Opened): string | undefined {
  const regular = Object.values(o.tasks).find((t) => t.kind === 'regular');
  return regular?.machine ?? o.record.machines[0]?.name;
}
