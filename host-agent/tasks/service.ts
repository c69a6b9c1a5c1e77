// The content service inside the agent: API routes to start content and answer tasks,
// and the glue that runs a playground's task engine while the playground runs — started
// when it reaches `running`, stopped when it leaves, resumed after an agent restart.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import {
  API_PREFIX,
  type ContentSummary,
  type DriverName,
  type MachineChangedRequest,
  type MachineChangedResponse,
  type PlaygroundRecord,
  type StartContentRequest,
  type TaskInputRequest,
} from '../api/protocol';
import type { AgentServer } from '../server/server';
import { readJsonBody, sendJson } from '../server/http';
import { ContentError } from '../content/errors';
import { libraryEntries, libraryRoots } from '../content/library';
import { notRunnable, resolveContentDir } from '../content/load';
import type { ContentMeta } from '../content/model';
import { basesFrom, defaultMachine, manifestForContent } from '../content/playground';
import { readInWorker, readOneInWorker } from '../content/reader';
import type { TemplateCatalog as ValidationCatalog } from '../content/validate';
import { errorMessage } from '../util/errors';
import type { TemplateCatalog } from '../playgrounds/catalog';
import { ApiProblem, type PlaygroundManager } from '../playgrounds/manager';
import type { PlaygroundManifest } from '../manifests/schema';
import { ContentSessions } from './session';
import { SshRunner } from './ssh-runner';

export interface ContentServiceOptions {
  server: AgentServer;
  manager: PlaygroundManager;
  catalog: TemplateCatalog;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  intervalMs?: number;
}

const ID = '([a-z0-9-]+)';
const DRIVERS: DriverName[] = ['sandbox', 'docker', 'microvm'];

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
    this.addRoutes();
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

  private validationCatalog(): ValidationCatalog {
    const { catalog } = this.opts;
    return {
      names: () =>
        catalog
          .list()
          .map((t) => t.name)
          .sort(),
      machines: (name) => catalog.get(name)?.manifest.playground.machines.map((m) => m.name),
    };
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
      throw new ApiProblem(404, 'unknown_content', errorMessage(err));
    }
    const read = await readOneInWorker(dir, this.validationCatalog(), { library: libraryRoots(), templates: this.templates() });
    const kind = read.header?.kind;
    if (kind === 'skill-path' || kind === 'course') throw new ApiProblem(400, 'not_runnable', `${source}: ${notRunnable(kind)}`);
    if (read.problems.length > 0 || !read.json || !read.meta) throw new ApiProblem(400, 'invalid_content', new ContentError(read.problems).message);
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
      this.validationCatalog(),
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

  async startContent(req: StartContentRequest): Promise<PlaygroundRecord> {
    if (typeof req.source !== 'string' || !req.source) throw new ApiProblem(400, 'invalid_request', 'source: expected a content folder or a built-in name');
    if (req.driver !== undefined && !DRIVERS.includes(req.driver)) {
      throw new ApiProblem(400, 'invalid_request', `driver: expected one of ${DRIVERS.join(', ')}, got ${JSON.stringify(req.driver)}`);
    }
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
      throw new ApiProblem(400, 'invalid_content', `${content.dir}: ${errorMessage(err)}`);
    }
    const record = await this.opts.manager.create({
      manifest: stringify(manifest),
      manifestName: `${content.dir} (template ${template.manifest.name})`,
      ...(req.lifetimeMinutes !== undefined ? { lifetimeMinutes: req.lifetimeMinutes } : {}),
    });
    record.template = template.manifest.name;
    record.content = { name: content.name, kind: content.kind, title: content.title, source: content.dir, state: 'initializing' };
    await this.opts.manager.save(record.id);
    // The playground may already be running (fast drivers) before the content was recorded.
    void this.follow(this.opts.manager.get(record.id));
    return record;
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
    if (!record.content?.source) throw new ApiProblem(409, 'no_content', `playground ${id} runs no content`);
    await this.sessions.stop(id);
    record.tasks = undefined;
    record.content.state = 'initializing';
    delete record.content.error;
    await this.opts.manager.save(id);
    void this.follow(record);
    return record;
  }

  private addRoutes(): void {
    const { server, manager } = this.opts;
    const pg = (rest: string) => new RegExp(`^${API_PREFIX}/playgrounds/${ID}${rest}$`);
    const route = (method: 'GET' | 'POST', path: RegExp, handle: (ctx: { req: IncomingMessage; res: ServerResponse; params: string[] }) => Promise<void>) =>
      server.addRoute({ method, path, handle });

    route('GET', new RegExp(`^${API_PREFIX}/content$`), async ({ res }) => sendJson(res, 200, await this.listContent()));
    route('POST', new RegExp(`^${API_PREFIX}/content$`), async ({ req, res }) => {
      sendJson(res, 201, await this.startContent(await readJsonBody<StartContentRequest>(req)));
    });
    route('GET', pg('/content'), async ({ res, params }) => {
      const record = manager.get(params[0]);
      if (!record.content?.source) throw new ApiProblem(404, 'no_content', `playground ${params[0]} runs no content`);
      sendJsonText(res, 200, this.sessions.json(params[0]) ?? (await this.load(record.content.source)).json);
    });
    route('POST', pg('/content/stop'), async ({ res, params }) => {
      manager.get(params[0]);
      await this.sessions.stop(params[0], { markStopped: true });
      sendJson(res, 200, manager.get(params[0]));
    });
    route('POST', pg('/content/restart'), async ({ res, params }) => sendJson(res, 200, await this.restartContent(params[0])));
    route('GET', pg('/tasks'), async ({ res, params }) => sendJson(res, 200, manager.get(params[0]).tasks ?? {}));
    route('POST', pg('/machines/([a-z0-9-]+)/changed'), async ({ req, res, params }) => {
      const body = await readJsonBody<MachineChangedRequest>(req);
      const [id, machine] = params;
      const record = manager.get(id);
      if (!record.machines.some((m) => m.name === machine)) {
        throw new ApiProblem(404, 'no_machine', `playground ${id} has no machine "${machine}" (machines: ${record.machines.map((m) => m.name).join(', ')})`);
      }
      const checking = this.sessions.nudge(id);
      const reason = typeof body.reason === 'string' ? body.reason.slice(0, 40).replace(/[^\w -]/g, '') : 'unspecified';
      if (checking.length > 0) this.opts.log('info', `${id}: ${machine} changed (${reason}): checking ${checking.join(', ')}`);
      sendJson(res, 200, { checking } satisfies MachineChangedResponse);
    });
    route('POST', pg('/tasks/([A-Za-z0-9_-]+)/input'), async ({ req, res, params }) => {
      const body = await readJsonBody<TaskInputRequest>(req);
      if (typeof body.value !== 'string') throw new ApiProblem(400, 'invalid_request', 'value: expected the answer as a string');
      manager.get(params[0]);
      try {
        sendJson(res, 200, await this.sessions.submitInput(params[0], params[1], body.value));
      } catch (err) {
        throw new ApiProblem(409, 'task_input', errorMessage(err));
      }
    });
  }
}

/** Sends JSON text as it is (content documents are serialized in the reader worker). */
function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
