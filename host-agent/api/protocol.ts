// The agent's HTTP + WebSocket API as one table: for every route its method, path, the
// zod schema of its body (or query), what it answers and the error codes it may answer
// with. The server matches requests against this table and the client builds its URLs
// from it (see paths.ts); a route without a server handler does not compile, and the
// client's unit test calls every route. No Node-only imports: the extension and the
// webviews import this file (zod is plain JavaScript).
import { z } from 'zod';
import type { Content } from '../content/model';
import type { ApiErrorCode } from './errors';
import { buildPath, type PathParams } from './paths';
import type {
  AgentInfo,
  ContentSummary,
  ExecChunk,
  PlaygroundEvent,
  PlaygroundManifestView,
  PlaygroundRecord,
  SnapshotRecord,
  SshKeyResponse,
  TaskRecord,
  TemplateSummary,
} from './records';

export type * from './records';
export * from './errors';
export * from './host-alias';

export const API_PREFIX = '/v1';
export const DEFAULT_LIFETIME_MINUTES = 120;
export const MAX_LIFETIME_MINUTES = 7 * 24 * 60;

/** WebSocket close code of an event stream whose playground was destroyed. */
export const CLOSE_PLAYGROUND_GONE = 4404;

// --- request schemas ---

/** How a rejected value is shown in a message: short, on one line. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const minutes = () => {
  const error = (iss: { input?: unknown }) => `expected a number of minutes (more than 0, at most ${MAX_LIFETIME_MINUTES}), got ${showValue(iss.input)}`;
  return z.number({ error }).gt(0, { error }).max(MAX_LIFETIME_MINUTES, { error });
};

/** A name shown in messages: one line, no control characters. */
const oneLine = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .max(1024, { error: `expected at most 1024 characters` })
    .regex(/^\P{Cc}*$/u, { error: 'expected one line without control characters' });

/** Label keys: lower-case words joined by '.', '-', '_' or '/' (`mcp.session`). */
const LABEL_KEY = /^[a-z0-9][a-z0-9._/-]{0,62}$/;
export const MAX_LABELS = 16;

/**
 * Labels a client puts on the playgrounds it starts, kept on the record as given (`sandlot
 * mcp` marks its session's playgrounds with them). The agent does not interpret them.
 */
const labels = () =>
  z
    .record(
      z.string().regex(LABEL_KEY, { error: (iss) => `expected a label key of lower-case letters, digits, '.', '_', '/' or '-', got ${showValue(iss.input)}` }),
      oneLine('a label value').max(256, { error: 'expected at most 256 characters' }),
      { error: 'expected an object of label keys to string values' },
    )
    .refine((l) => Object.keys(l).length <= MAX_LABELS, { error: `expected at most ${MAX_LABELS} labels` });

export const createPlaygroundBody = z
  .strictObject({
    /** A catalog template name … */
    template: oneLine('a template name').min(1, { error: 'expected a template name' }).optional(),
    /** … or a manifest's YAML text (`kind: playground`). */
    manifest: z.string({ error: 'expected the manifest YAML as a string' }).optional(),
    /** Names the manifest in error messages (the CLI passes the path it read). */
    manifestName: oneLine('a file name').optional(),
    /** Lifetime in minutes; default 120. */
    lifetimeMinutes: minutes().optional(),
    /** Kept on the record (`labels`). */
    labels: labels().optional(),
    /** Values of the manifest's init conditions (`-i key=value`); the agent checks them against the manifest. */
    inputs: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { error: (iss) => `expected an init condition key, got ${showValue(iss.input)}` }), z.string(), {
        error: 'expected an object of init condition keys to string values',
      })
      .optional(),
  })
  .superRefine((body, ctx) => {
    if (body.template !== undefined && body.manifest !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['manifest'], message: 'give either "template" or "manifest", not both' });
    } else if (body.template === undefined && body.manifest === undefined) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'expected "template" (a catalog name) or "manifest" (YAML text)' });
    }
  });
export type CreatePlaygroundRequest = z.input<typeof createPlaygroundBody>;

export const extendBody = z.strictObject({ minutes: minutes() });
export type ExtendRequest = z.input<typeof extendBody>;

export const execBody = z.strictObject({
  command: z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' }),
  user: z
    .string({ error: 'expected a user name' })
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: (iss) => `expected a Unix user name, got ${showValue(iss.input)}` })
    .optional(),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a variable name like FOO_BAR' }),
      z.string({ error: 'expected a string value' }).refine((v) => !v.includes('\0'), { error: 'expected a value without NUL bytes' }),
      { error: 'expected an object of variable names to string values' },
    )
    .optional(),
  timeoutSeconds: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).optional(),
});
export type ExecRequest = z.input<typeof execBody>;

export const startContentBody = z.strictObject({
  /** A content folder on the agent's host (iximiuz `index.md` or Killercoda `index.json`) or a built-in name. */
  source: oneLine('a content folder or a built-in name').min(1, { error: 'expected a content folder or a built-in name' }),
  lifetimeMinutes: minutes().optional(),
  labels: labels().optional(),
});
export type StartContentRequest = z.input<typeof startContentBody>;

/** A learner's answer to a user-input task. */
export const taskInputBody = z.strictObject({ value: z.string({ error: 'expected the answer as a string' }) });
export type TaskInputRequest = z.input<typeof taskInputBody>;

/** A snapshot or template name: what people type, also safe as a file name. */
const SAVED_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const savedName = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .regex(SAVED_NAME, { error: (iss) => `expected ${what}: lowercase letters, digits and '-', at most 63, got ${showValue(iss.input)}` })
    .refine((n) => !/^(pg|sn)-/.test(n), { error: `expected ${what} that does not start with pg- or sn- (those are ids)` });

export const createSnapshotBody = z.strictObject({ name: savedName('a snapshot name').optional() });
export type CreateSnapshotRequest = z.input<typeof createSnapshotBody>;

export const forkBody = z.strictObject({
  /** Title of the new playground; default: the snapshot's. */
  title: oneLine('a title').min(1, { error: 'expected a title' }).optional(),
  lifetimeMinutes: minutes().optional(),
});
export type ForkRequest = z.input<typeof forkBody>;

export const saveTemplateBody = z.strictObject({
  /** The template's name (what `sandlot start` takes). */
  name: savedName('a template name'),
  title: oneLine('a title').min(1, { error: 'expected a title' }).optional(),
});
export type SaveTemplateRequest = z.input<typeof saveTemplateBody>;

export const listSnapshotsQuery = z.strictObject({
  /** Only the snapshots of this playground. */
  playground: z.string().optional(),
});

/** A line for the agent's log from a client that acts for someone else (`sandlot mcp` logs every tool call). */
export const clientLogBody = z.strictObject({
  /** Who is speaking, e.g. `mcp claude-code/1.0.3`. */
  client: oneLine('a client name').min(1, { error: 'expected a client name' }).max(200, { error: 'expected at most 200 characters' }),
  level: z.enum(['info', 'warn'], { error: (iss) => `expected info or warn, got ${showValue(iss.input)}` }).optional(),
  /** One line (no control characters), so a client cannot forge other lines of the log. */
  message: oneLine('the message').min(1, { error: 'expected a message' }),
});
export type ClientLogRequest = z.input<typeof clientLogBody>;

export const tunnelQuery = z.strictObject({
  /** TCP port inside the machine; default 22 (its SSH server). */
  port: z
    .string()
    .refine((p) => /^[0-9]{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535, { error: (iss) => `expected 1-65535, got ${showValue(iss.input)}` })
    .transform(Number)
    .optional(),
});

// --- the table ---

/** A type carried by the table for the compiler only (what a route answers). */
export interface Returns<T> {
  readonly __returns?: T;
}
const returns = <T>(): Returns<T> => ({});

/**
 * `json`: one JSON value with `status`; `ndjson`: a stream of JSON lines (`application/x-ndjson`);
 * `events`: a WebSocket of JSON text frames; `bytes`: a WebSocket of raw binary frames.
 */
export type ReplyKind = 'json' | 'ndjson' | 'events' | 'bytes';

/** Who serves a route: the server itself (answers while the agent starts), the playground manager, the snapshot service, the content service. */
export type RouteGroup = 'agent' | 'playgrounds' | 'snapshots' | 'content';

interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'WS';
  path: string;
  group: RouteGroup;
  body?: z.ZodType;
  query?: z.ZodType;
  reply: ReplyKind;
  status?: 200 | 201;
  response: Returns<unknown>;
  /** Codes beyond those every route may answer (COMMON_ERRORS). */
  errors: readonly ApiErrorCode[];
}

const route = <const R extends RouteSpec>(r: R): R => r;

/** Codes any route may answer: the token, the request's shape, the agent itself. */
export const COMMON_ERRORS = [
  'unauthorized',
  'invalid_json',
  'invalid_request',
  'body_too_large',
  'internal',
  'driver_unavailable',
] as const satisfies ApiErrorCode[];

const PG = ['playground_not_found'] as const;

export const API = {
  info: route({ method: 'GET', path: '/v1/info', group: 'agent', reply: 'json', response: returns<AgentInfo>(), errors: [] }),
  /** Writes one line to the agent's log, naming the client. */
  clientLog: route({ method: 'POST', path: '/v1/log', group: 'agent', body: clientLogBody, reply: 'json', response: returns<{ logged: true }>(), errors: [] }),
  listTemplates: route({ method: 'GET', path: '/v1/templates', group: 'playgrounds', reply: 'json', response: returns<TemplateSummary[]>(), errors: [] }),
  listPlaygrounds: route({ method: 'GET', path: '/v1/playgrounds', group: 'playgrounds', reply: 'json', response: returns<PlaygroundRecord[]>(), errors: [] }),
  createPlayground: route({
    method: 'POST',
    path: '/v1/playgrounds',
    group: 'playgrounds',
    body: createPlaygroundBody,
    reply: 'json',
    status: 201,
    response: returns<PlaygroundRecord>(),
    errors: ['template_not_found', 'invalid_manifest', 'driver_not_enabled', 'state_not_saved'],
  }),
  getPlayground: route({ method: 'GET', path: '/v1/playgrounds/:id', group: 'playgrounds', reply: 'json', response: returns<PlaygroundRecord>(), errors: PG }),
  destroyPlayground: route({
    method: 'DELETE',
    path: '/v1/playgrounds/:id',
    group: 'playgrounds',
    reply: 'json',
    response: returns<{ id: string; state: 'destroyed' }>(),
    errors: PG,
  }),
  stopPlayground: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/stop',
    group: 'playgrounds',
    reply: 'json',
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'state_not_saved'],
  }),
  startPlayground: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/start',
    group: 'playgrounds',
    reply: 'json',
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'expired', 'state_not_saved'],
  }),
  restartPlayground: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/restart',
    group: 'playgrounds',
    reply: 'json',
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'expired', 'state_not_saved'],
  }),
  extendPlayground: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/extend',
    group: 'playgrounds',
    body: extendBody,
    reply: 'json',
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'state_not_saved'],
  }),
  /** The effective manifest (defaults written out; `start -f` accepts it again) and the layout its tabs make. */
  playgroundManifest: route({
    method: 'GET',
    path: '/v1/playgrounds/:id/manifest',
    group: 'playgrounds',
    reply: 'json',
    response: returns<PlaygroundManifestView>(),
    errors: PG,
  }),
  sshKey: route({ method: 'GET', path: '/v1/playgrounds/:id/ssh-key', group: 'playgrounds', reply: 'json', response: returns<SshKeyResponse>(), errors: PG }),
  /** Resident memory per machine in bytes, where the driver can tell. */
  memory: route({
    method: 'GET',
    path: '/v1/playgrounds/:id/memory',
    group: 'playgrounds',
    reply: 'json',
    response: returns<Record<string, number>>(),
    errors: PG,
  }),
  /** Runs a command; answers ExecChunk lines (output base64, see ExecChunk) ending with `exit`. */
  exec: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/machines/:machine/exec',
    group: 'playgrounds',
    body: execBody,
    reply: 'ndjson',
    response: returns<ExecChunk>(),
    errors: [...PG, 'machine_not_found', 'not_running', 'exec_failed'],
  }),
  /** Provisioning progress, machine and task states: a `snapshot` first, then changes; closes with CLOSE_PLAYGROUND_GONE on destroy. */
  events: route({ method: 'WS', path: '/v1/playgrounds/:id/events', group: 'playgrounds', reply: 'events', response: returns<PlaygroundEvent>(), errors: PG }),
  /** Raw bytes to a TCP port of the machine (`?port=`, default 22); refusals are HTTP errors before the upgrade. */
  tunnel: route({
    method: 'WS',
    path: '/v1/playgrounds/:id/machines/:machine/tunnel',
    group: 'playgrounds',
    query: tunnelQuery,
    reply: 'bytes',
    response: returns<Uint8Array>(),
    errors: [...PG, 'machine_not_found', 'not_running', 'no_ssh', 'connect_failed'],
  }),
  /** Freezes a running or stopped playground's machines; progress (`step` events) on its event stream. */
  createSnapshot: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/snapshots',
    group: 'snapshots',
    body: createSnapshotBody,
    reply: 'json',
    status: 201,
    response: returns<SnapshotRecord>(),
    errors: [...PG, 'not_running', 'snapshot_unsupported', 'snapshot_failed', 'name_taken', 'driver_not_enabled'],
  }),
  listSnapshots: route({
    method: 'GET',
    path: '/v1/snapshots',
    group: 'snapshots',
    query: listSnapshotsQuery,
    reply: 'json',
    response: returns<SnapshotRecord[]>(),
    errors: [],
  }),
  /** `:snapshot` is an id or a name, here and below. */
  getSnapshot: route({
    method: 'GET',
    path: '/v1/snapshots/:snapshot',
    group: 'snapshots',
    reply: 'json',
    response: returns<SnapshotRecord>(),
    errors: ['snapshot_not_found'],
  }),
  deleteSnapshot: route({
    method: 'DELETE',
    path: '/v1/snapshots/:snapshot',
    group: 'snapshots',
    reply: 'json',
    response: returns<{ id: string; state: 'deleted' }>(),
    errors: ['snapshot_not_found', 'snapshot_in_use'],
  }),
  /** Snapshot, then fork: a new playground (new id, keys and host keys) from the playground's state now. */
  forkPlayground: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/fork',
    group: 'snapshots',
    body: forkBody,
    reply: 'json',
    status: 201,
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'not_running', 'snapshot_unsupported', 'snapshot_failed', 'driver_not_enabled', 'invalid_manifest', 'state_not_saved'],
  }),
  forkSnapshot: route({
    method: 'POST',
    path: '/v1/snapshots/:snapshot/fork',
    group: 'snapshots',
    body: forkBody,
    reply: 'json',
    status: 201,
    response: returns<PlaygroundRecord>(),
    errors: ['snapshot_not_found', 'snapshot_damaged', 'snapshot_unsupported', 'driver_not_enabled', 'invalid_manifest', 'state_not_saved'],
  }),
  /** A user template that starts from a snapshot of the playground taken now. */
  savePlayground: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/save',
    group: 'snapshots',
    body: saveTemplateBody,
    reply: 'json',
    status: 201,
    response: returns<TemplateSummary>(),
    errors: [...PG, 'not_running', 'snapshot_unsupported', 'snapshot_failed', 'name_taken', 'driver_not_enabled'],
  }),
  saveSnapshot: route({
    method: 'POST',
    path: '/v1/snapshots/:snapshot/save',
    group: 'snapshots',
    body: saveTemplateBody,
    reply: 'json',
    status: 201,
    response: returns<TemplateSummary>(),
    errors: ['snapshot_not_found', 'snapshot_damaged', 'name_taken'],
  }),
  /** Removes a user template (and the snapshot it was saved with, when nothing else uses that). */
  deleteTemplate: route({
    method: 'DELETE',
    path: '/v1/templates/:name',
    group: 'snapshots',
    reply: 'json',
    response: returns<{ name: string; removed: true }>(),
    errors: ['template_not_found', 'template_not_removable'],
  }),
  listContent: route({ method: 'GET', path: '/v1/content', group: 'content', reply: 'json', response: returns<ContentSummary[]>(), errors: [] }),
  startContent: route({
    method: 'POST',
    path: '/v1/content',
    group: 'content',
    body: startContentBody,
    reply: 'json',
    status: 201,
    response: returns<PlaygroundRecord>(),
    errors: ['content_not_found', 'invalid_content', 'invalid_manifest', 'driver_not_enabled', 'state_not_saved'],
  }),
  /** The content document (pages and task specs) a playground runs. */
  playgroundContent: route({
    method: 'GET',
    path: '/v1/playgrounds/:id/content',
    group: 'content',
    reply: 'json',
    response: returns<Content>(),
    errors: [...PG, 'no_content', 'content_not_found', 'invalid_content'],
  }),
  stopContent: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/content/stop',
    group: 'content',
    reply: 'json',
    response: returns<PlaygroundRecord>(),
    errors: PG,
  }),
  restartContent: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/content/restart',
    group: 'content',
    reply: 'json',
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'no_content', 'state_not_saved'],
  }),
  listTasks: route({
    method: 'GET',
    path: '/v1/playgrounds/:id/tasks',
    group: 'content',
    reply: 'json',
    response: returns<Record<string, TaskRecord>>(),
    errors: PG,
  }),
  taskInput: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/tasks/:task/input',
    group: 'content',
    body: taskInputBody,
    reply: 'json',
    response: returns<TaskRecord>(),
    errors: [...PG, 'task_input_refused'],
  }),
} as const;

// --- types derived from the table ---

export type Api = typeof API;
export type RouteName = keyof Api;
export type WsRouteName = { [K in RouteName]: Api[K]['method'] extends 'WS' ? K : never }[RouteName];
export type HttpRouteName = Exclude<RouteName, WsRouteName>;
export type RoutesOf<G extends RouteGroup> = { [K in RouteName]: Api[K]['group'] extends G ? K : never }[RouteName];
export type ParamsOf<K extends RouteName> = PathParams<Api[K]['path']>;
/** The body as a client sends it. */
export type BodyInput<K extends RouteName> = Api[K] extends { body: infer S extends z.ZodType } ? z.input<S> : undefined;
/** The body after the server parsed it. */
export type BodyOf<K extends RouteName> = Api[K] extends { body: infer S extends z.ZodType } ? z.output<S> : undefined;
export type QueryOf<K extends RouteName> = Api[K] extends { query: infer S extends z.ZodType } ? z.output<S> : undefined;
export type QueryInput<K extends RouteName> = Api[K] extends { query: infer S extends z.ZodType } ? z.input<S> : undefined;
export type ResponseOf<K extends RouteName> = Api[K]['response'] extends Returns<infer T> ? T : never;

export const ROUTE_NAMES: RouteName[] = Object.keys(API).filter((k): k is RouteName => k in API);

/** The URL path (and query) of a route: what the client requests and the server matches. */
export function apiPath<K extends RouteName>(name: K, params: ParamsOf<K>, query?: Record<string, string | number>): string {
  const path = buildPath(API[name].path, params);
  const search = query ? new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString() : '';
  return search ? `${path}?${search}` : path;
}
