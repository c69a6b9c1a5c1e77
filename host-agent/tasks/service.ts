// The content service inside the agent: API routes to start content and answer tasks,
// and the glue that runs a playground's task engine while the playground runs — started
// when it reaches `running`, stopped when it leaves, resumed after an agent restart.
import { stringify } from 'yaml';
import { ApiProblem, type BodyOf, type ContentSummary, type PlaygroundRecord } from '../api/protocol';
import type { Handlers } from '../server/router';
import { ContentError } from '../content/errors';
import { libraryEntries, libraryRoots } from '../content/library';
import { notRunnable, resolveContentDir } from '../content/load';
import type { Content, ContentMeta } from '../content/model';
import { basesFrom, defaultMachine, manifestForContent } from '../content/playground';
import { readInWorker, readOneInWorker } from '../content/reader';
import type { PlaygroundManifest } from '../manifests/schema';
import type { TemplateCatalog } from '../playgrounds/catalog';
import type { PlaygroundManager } from '../playgrounds/manager';
import { JsonText } from '../server/http';
import { errorMessage } from '../util/errors';
import { ContentSessions } from './session';
import { SshRunner } from './ssh-runner';

export interface ContentServiceOptions {
  manager: PlaygroundManager;
  catalog: TemplateCatalog;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  intervalMs?: number;
}

export class ContentService {
  readonly sessions: ContentSessions;
  private readonly starting = new Set<string>();
  private readonly onState = (record: PlaygroundRecord) => void this.follow(record);

  constructor(private readonly opts: ContentServiceOptions) {
    const { manager } = opts;
    this.sessions = new ContentSessions(
      {
        record: (id) => {
          try {
            return manager.get(id);
          } catch {
            return undefined;
          }
        },
        updateRecord: (id, change) => {
          change(manager.get(id));
          return this.save(id);
        },
        emit: (id, event) => manager.emit(id, event),
        runner: (id) =>
          new SshRunner({
            connect: (machine) => manager.connect(id, machine, 22, false),
            privateKey: manager.userKey(id).privateKey,
            hostKey: (machine) => manager.get(id).machines.find((m) => m.name === machine)?.hostKey,
          }),
        log: opts.log,
      },
      { intervalMs: opts.intervalMs },
    );
    manager.onStateChange.add(this.onState);
    // Playgrounds the agent found running at start-up: resume their content.
    for (const record of manager.list()) void this.follow(record);
  }

  private readonly saves = new Map<string, { running: Promise<void>; again: boolean }>();

  /**
   * Persists a record after a change. Saves of one playground run one at a time and a
   * burst of changes collapses into one more save, which serializes the newest state,
   * so an older snapshot can never be the last one written.
   */
  private save(id: string): Promise<void> {
    const current = this.saves.get(id);
    if (current) {
      current.again = true;
      return current.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          await this.opts.manager.save(id).catch((err: Error) => {
            // A playground being destroyed loses its folder under a late task update.
            if (!/no playground/.test(err.message) && !this.goingAway(id)) throw err;
          });
        } while (entry.again);
      } finally {
        this.saves.delete(id);
      }
    })();
    this.saves.set(id, entry);
    return entry.running;
  }

  private goingAway(id: string): boolean {
    try {
      const state = this.opts.manager.get(id).state;
      return state === 'destroying' || state === 'destroyed';
    } catch {
      return true;
    }
  }

  async dispose(): Promise<void> {
    this.opts.manager.onStateChange.delete(this.onState);
    await this.sessions.dispose();
  }

  /**
   * Reads content in the content reader worker (never on this event loop) or answers 400
   * with every problem, one per line.
   */
  private async load(source: string): Promise<{ meta: ContentMeta; json: string }> {
    let dir: string;
    try {
      dir = resolveContentDir(source);
    } catch (err) {
      throw new ApiProblem('content_not_found', errorMessage(err));
    }
    const read = await readOneInWorker(dir, this.opts.catalog, { library: libraryRoots(), templates: this.templates() });
    const kind = read.header?.kind;
    if (kind === 'skill-path' || kind === 'course') throw new ApiProblem('invalid_content', `${source}: ${notRunnable(kind)}`);
    if (read.problems.length > 0 || !read.json || !read.meta) throw new ApiProblem('invalid_content', new ContentError(read.problems).message);
    return { meta: read.meta, json: read.json };
  }

  /** Template manifests by name: what content `playground:` sections are based on. */
  private templates(): Record<string, PlaygroundManifest> {
    const { catalog } = this.opts;
    return Object.fromEntries(catalog.list().flatMap((t) => (catalog.get(t.name) ? [[t.name, catalog.get(t.name)!.manifest]] : [])));
  }

  /** The built-ins and `$SANDLOT_HOME/content`, each from its index alone. */
  private async listContent(): Promise<ContentSummary[]> {
    const entries = libraryEntries(libraryRoots());
    const results = await readInWorker(
      entries.map((e) => e.dir),
      this.opts.catalog,
      { mode: 'summary' },
    );
    return results.flatMap((r, i) =>
      r.header
        ? [
            {
              name: entries[i].name,
              kind: r.header.kind,
              title: r.header.title,
              description: r.header.description,
              template: r.header.template ?? '',
              source: r.dir,
            },
          ]
        : [],
    );
  }

  async startContent(req: BodyOf<'startContent'>): Promise<PlaygroundRecord> {
    const { meta: content } = await this.load(req.source);
    const template = this.opts.catalog.get(content.playground.template)!;
    let manifest: PlaygroundManifest;
    try {
      const loaded = manifestForContent(content, basesFrom(this.templates()));
      manifest = loaded.manifest;
      if (req.driver) manifest.playground.driver = req.driver;
      for (const w of loaded.warnings) this.opts.log('warn', `${content.dir}: ${w}`);
    } catch (err) {
      // The reader checked the same; a template changed since.
      throw new ApiProblem('invalid_content', `${content.dir}: ${errorMessage(err)}`);
    }
    const record = await this.opts.manager.create({
      manifest: stringify(manifest),
      manifestName: `${content.dir} (template ${template.manifest.name})`,
      ...(req.lifetimeMinutes !== undefined ? { lifetimeMinutes: req.lifetimeMinutes } : {}),
      ...(req.labels ? { labels: req.labels } : {}),
    });
    const recorded = await this.opts.manager
      .update(record.id, (r) => {
        r.template = template.manifest.name;
        r.content = { name: content.name, kind: content.kind, title: content.title, source: content.dir, state: 'initializing' };
      })
      .catch(async (err: unknown) => {
        // A playground whose content could not be recorded would run without it: take it down.
        await this.opts.manager.destroy(record.id).catch(() => undefined);
        throw err;
      });
    // The playground may already be running (fast drivers) before the content was recorded.
    void this.follow(recorded);
    return recorded;
  }

  /** Starts or stops a playground's content to match its state. */
  private async follow(record: PlaygroundRecord): Promise<void> {
    const id = record.id;
    if (!record.content?.source) return;
    if (record.state !== 'running') {
      if (this.sessions.has(id)) await this.sessions.stop(id);
      return;
    }
    if (this.sessions.has(id) || this.starting.has(id)) return;
    if (record.content.state === 'stopped' || record.content.state === 'failed') return;
    this.starting.add(id);
    try {
      const { meta, json } = await this.load(record.content.source);
      const manifest = this.opts.manager.spec(id).manifest;
      await this.sessions.start(id, meta, {
        source: record.content.source,
        defaultMachine: defaultMachine(manifest),
        resume: record.tasks !== undefined,
        json,
      });
    } catch (err) {
      this.opts.log('warn', `${id}: content: ${errorMessage(err)}`);
    } finally {
      this.starting.delete(id);
    }
  }

  private async restartContent(id: string): Promise<PlaygroundRecord> {
    const record = this.opts.manager.get(id);
    if (!record.content?.source) throw new ApiProblem('no_content', `playground ${id} runs no content`);
    await this.sessions.stop(id);
    const restarted = await this.opts.manager.update(id, (r) => {
      r.tasks = undefined;
      if (r.content) {
        r.content.state = 'initializing';
        delete r.content.error;
      }
    });
    void this.follow(restarted);
    return restarted;
  }

  /**
   * Swaps a running playground's content for what its folder holds now. Content with
   * problems is refused with all of them (400 invalid_content) and the running version
   * carries on; a reload cannot move the content to another template (its machines are
   * made already).
   */
  private async reloadContent(id: string): Promise<PlaygroundRecord> {
    const record = this.opts.manager.get(id);
    const source = record.content?.source;
    if (!source) throw new ApiProblem('no_content', `playground ${id} runs no content`);
    if (record.state !== 'running') throw new ApiProblem('not_running', `playground ${id} is ${record.state}: start it before reloading its content`);
    const { meta, json } = await this.load(source);
    if (meta.playground.template !== record.template) {
      throw new ApiProblem(
        'invalid_content',
        `${meta.dir}: playground: the content now asks for template "${meta.playground.template}" but runs on "${record.template}"; start it again to change templates`,
      );
    }
    const manifest = this.opts.manager.spec(id).manifest;
    const { ready } = await this.sessions.reload(id, meta, { source, defaultMachine: defaultMachine(manifest), json });
    ready.catch((err: unknown) => this.opts.log('warn', `${id}: reloaded content: ${errorMessage(err)}`));
    this.opts.log('info', `${id}: content ${meta.name} reloaded from ${source}`);
    return this.opts.manager.get(id);
  }

  /** Handlers of the `content` routes of the API table. */
  handlers(): Handlers<'content'> {
    const { manager } = this.opts;
    return {
      listContent: () => this.listContent(),
      startContent: ({ body }) => this.startContent(body),
      playgroundContent: async ({ params: { id } }) => {
        const record = manager.get(id);
        if (!record.content?.source) throw new ApiProblem('no_content', `playground ${id} runs no content`);
        // Serialized in the reader worker: sent as it is, no parse or stringify on this event loop.
        return new JsonText<Content>(this.sessions.json(id) ?? (await this.load(record.content.source)).json);
      },
      stopContent: async ({ params: { id } }) => {
        manager.get(id);
        await this.sessions.stop(id, { markStopped: true });
        return manager.get(id);
      },
      restartContent: ({ params: { id } }) => this.restartContent(id),
      reloadContent: ({ params: { id } }) => this.reloadContent(id),
      listTasks: ({ params: { id } }) => manager.get(id).tasks ?? {},
      taskInput: async ({ params: { id, task }, body }) => {
        manager.get(id);
        try {
          return await this.sessions.submitInput(id, task, body.value);
        } catch (err) {
          throw new ApiProblem('task_input_refused', errorMessage(err));
        }
      },
      machineChanged: async ({ params: { id, machine }, body }) => {
        const record = manager.get(id);
        if (!record.machines.some((m) => m.name === machine)) {
          throw new ApiProblem(
            'machine_not_found',
            `playground ${id} has no machine "${machine}" (machines: ${record.machines.map((m) => m.name).join(', ')})`,
          );
        }
        const checking = this.sessions.nudge(id);
        if (checking.length > 0) this.opts.log('info', `${id}: ${machine} changed (${body.reason ?? 'unspecified'}): checking ${checking.join(', ')}`);
        return { checking };
      },
    };
  }
}
