// The agent's HTTP + WebSocket API as one table: for every route its method, path, the
// zod schema of its body (or query), what it answers and the error codes it may answer
// with. The server matches requests against this table and the client builds its URLs
// from it (see paths.ts); a route without a server handler does not compile, and the
// client's unit test calls every route. No Node-only imports: the extension and the
// webviews import this file. Request schemas are named here by type only (`takes`) and
// live in schemas.ts, which the server loads: the table itself loads without zod.
import type { z } from 'zod';
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
import type { RunEvent } from './run-frames';
import type * as schemas from './schemas';

export type * from './records';
export type {
  ClientLogRequest,
  RunRequest,
  CreatePlaygroundRequest,
  CreateSnapshotRequest,
  ExecRequest,
  ExtendRequest,
  ForkRequest,
  MachineChangedRequest,
  SaveTemplateRequest,
  StartContentRequest,
  TaskInputRequest,
} from './schemas';

/** Most labels a playground carries (schemas.ts checks it). */
export const MAX_LABELS = 16;
export * from './errors';
export * from './host-alias';

export const API_PREFIX = '/v1';
export const DEFAULT_LIFETIME_MINUTES = 120;
export const MAX_LIFETIME_MINUTES = 7 * 24 * 60;

/** WebSocket close code of an event stream whose playground was destroyed. */
export const CLOSE_PLAYGROUND_GONE = 4404;

/** How a rejected value is shown in a message: short, on one line. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// --- the table ---

/** A type carried by the table for the compiler only (what a route answers). */
export interface Returns<T> {
  readonly __returns?: T;
}
const returns = <T>(): Returns<T> => ({});

/** A request part (body or query) checked with schema S (schemas.ts holds S itself; the table only names its type). */
export interface Takes<S extends z.ZodType> {
  readonly __schema?: S;
}
const takes = <S extends z.ZodType>(): Takes<S> => ({});

/**
 * `json`: one JSON value with `status`; `ndjson`: a stream of JSON lines (`application/x-ndjson`);
 * `events`: a WebSocket of JSON text frames; `bytes`: a WebSocket of raw binary frames;
 * `tcp`: after `101 Switching Protocols` (`Upgrade: tcp`), the connection itself carries the bytes.
 */
export type ReplyKind = 'json' | 'ndjson' | 'events' | 'bytes' | 'tcp';

/** Who serves a route: the server itself (answers while the agent starts), the playground manager, the snapshot service, the content service. */
export type RouteGroup = 'agent' | 'playgrounds' | 'snapshots' | 'content';

interface RouteSpec {
  /**
   * `WS`: a GET that upgrades to a WebSocket; `TCP`: a GET with `Connection: Upgrade` and
   * `Upgrade: tcp` (as Docker's attach), answered `101 Switching Protocols`, after which the
   * connection is the raw byte stream (a client needs only node:http, no WebSocket library).
   */
  method: 'GET' | 'POST' | 'DELETE' | 'WS' | 'TCP';
  path: string;
  group: RouteGroup;
  body?: Takes<z.ZodType>;
  query?: Takes<z.ZodType>;
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
/** What refuses a tunnel to a machine's port, before its upgrade: the WebSocket and the raw TCP one alike. */
const TUNNEL_ERRORS = [...PG, 'machine_not_found', 'not_running', 'no_ssh', 'connect_failed'] as const;

/** What ends a run in an `error` message (its upgrade only fails for the common reasons): the WebSocket and the raw TCP route alike. */
const RUN_ERRORS = [
  'template_not_found',
  'invalid_manifest',
  'driver_not_enabled',
  'state_not_saved',
  'machine_not_found',
  'not_running',
  'exec_failed',
] as const;

export const API = {
  info: route({ method: 'GET', path: '/v1/info', group: 'agent', reply: 'json', response: returns<AgentInfo>(), errors: [] }),
  /** Writes one line to the agent's log, naming the client. */
  clientLog: route({
    method: 'POST',
    path: '/v1/log',
    group: 'agent',
    body: takes<typeof schemas.clientLogBody>(),
    reply: 'json',
    response: returns<{ logged: true }>(),
    errors: [],
  }),
  listTemplates: route({ method: 'GET', path: '/v1/templates', group: 'playgrounds', reply: 'json', response: returns<TemplateSummary[]>(), errors: [] }),
  listPlaygrounds: route({ method: 'GET', path: '/v1/playgrounds', group: 'playgrounds', reply: 'json', response: returns<PlaygroundRecord[]>(), errors: [] }),
  createPlayground: route({
    method: 'POST',
    path: '/v1/playgrounds',
    group: 'playgrounds',
    body: takes<typeof schemas.createPlaygroundBody>(),
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
    body: takes<typeof schemas.extendBody>(),
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
    body: takes<typeof schemas.execBody>(),
    reply: 'ndjson',
    response: returns<ExecChunk>(),
    errors: [...PG, 'machine_not_found', 'not_running', 'exec_failed'],
  }),
  /**
   * One-shot run (`sandlot run`): the client's first frame is a RunRequest; the agent makes
   * the playground, runs the command with the client's stdin/stdout/stderr (RunEvent and
   * data frames, see run-frames.ts), destroys the playground unless `keep`, and answers
   * `exit`. A socket that closes early ends the command and destroys the playground too.
   */
  run: route({
    method: 'WS',
    path: '/v1/run',
    group: 'playgrounds',
    reply: 'events',
    response: returns<RunEvent>(),
    /** Sent in `error` frames (the upgrade itself only fails for the common reasons). */
    errors: RUN_ERRORS,
  }),
  /**
   * The same run without WebSocket frames: an `Upgrade: tcp` request, after which the
   * connection carries the same messages, each framed by run-wire.ts (length, kind, message).
   * `sandlot run` uses it, so it starts without loading a WebSocket library.
   */
  tcpRun: route({
    method: 'TCP',
    path: '/v1/run/tcp',
    group: 'playgrounds',
    reply: 'tcp',
    response: returns<RunEvent>(),
    errors: RUN_ERRORS,
  }),
  /** Provisioning progress, machine and task states: a `snapshot` first, then changes; closes with CLOSE_PLAYGROUND_GONE on destroy. */
  events: route({ method: 'WS', path: '/v1/playgrounds/:id/events', group: 'playgrounds', reply: 'events', response: returns<PlaygroundEvent>(), errors: PG }),
  /** Raw bytes to a TCP port of the machine (`?port=`, default 22); refusals are HTTP errors before the upgrade. */
  tunnel: route({
    method: 'WS',
    path: '/v1/playgrounds/:id/machines/:machine/tunnel',
    group: 'playgrounds',
    query: takes<typeof schemas.tunnelQuery>(),
    reply: 'bytes',
    response: returns<Uint8Array>(),
    errors: TUNNEL_ERRORS,
  }),
  /**
   * The same bytes as `tunnel` without WebSocket frames: an `Upgrade: tcp` request. ssh-proxy
   * (one per OpenSSH connection) uses it, so it starts without loading a WebSocket library.
   */
  tcpTunnel: route({
    method: 'TCP',
    path: '/v1/playgrounds/:id/machines/:machine/tcp',
    group: 'playgrounds',
    query: takes<typeof schemas.tunnelQuery>(),
    reply: 'tcp',
    response: returns<Uint8Array>(),
    errors: TUNNEL_ERRORS,
  }),
  /** Freezes a running or stopped playground's machines; progress (`step` events) on its event stream. */
  createSnapshot: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/snapshots',
    group: 'snapshots',
    body: takes<typeof schemas.createSnapshotBody>(),
    reply: 'json',
    status: 201,
    response: returns<SnapshotRecord>(),
    errors: [...PG, 'not_running', 'snapshot_unsupported', 'snapshot_failed', 'name_taken', 'driver_not_enabled'],
  }),
  listSnapshots: route({
    method: 'GET',
    path: '/v1/snapshots',
    group: 'snapshots',
    query: takes<typeof schemas.listSnapshotsQuery>(),
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
    body: takes<typeof schemas.forkBody>(),
    reply: 'json',
    status: 201,
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'not_running', 'snapshot_unsupported', 'snapshot_failed', 'driver_not_enabled', 'invalid_manifest', 'state_not_saved'],
  }),
  forkSnapshot: route({
    method: 'POST',
    path: '/v1/snapshots/:snapshot/fork',
    group: 'snapshots',
    body: takes<typeof schemas.forkBody>(),
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
    body: takes<typeof schemas.saveTemplateBody>(),
    reply: 'json',
    status: 201,
    response: returns<TemplateSummary>(),
    errors: [...PG, 'not_running', 'snapshot_unsupported', 'snapshot_failed', 'name_taken', 'driver_not_enabled'],
  }),
  saveSnapshot: route({
    method: 'POST',
    path: '/v1/snapshots/:snapshot/save',
    group: 'snapshots',
    body: takes<typeof schemas.saveTemplateBody>(),
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
    body: takes<typeof schemas.startContentBody>(),
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
  /** Reads the content again from its folder and swaps it in; invalid content leaves the running version alone. */
  reloadContent: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/content/reload',
    group: 'content',
    reply: 'json',
    response: returns<PlaygroundRecord>(),
    errors: [...PG, 'no_content', 'content_not_found', 'invalid_content', 'not_running', 'state_not_saved'],
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
    body: takes<typeof schemas.taskInputBody>(),
    reply: 'json',
    response: returns<TaskRecord>(),
    errors: [...PG, 'task_input_refused'],
  }),
  /** Something changed in a machine: the playground's pending checks run now (answers which). */
  machineChanged: route({
    method: 'POST',
    path: '/v1/playgrounds/:id/machines/:machine/changed',
    group: 'content',
    body: takes<typeof schemas.machineChangedBody>(),
    reply: 'json',
    response: returns<{ checking: string[] }>(),
    errors: [...PG, 'machine_not_found'],
  }),
} as const;

// --- types derived from the table ---

export type Api = typeof API;
export type RouteName = keyof Api;
/** Routes that upgrade the connection (WebSocket or raw tcp). */
export type UpgradeRouteName = { [K in RouteName]: Api[K]['method'] extends 'WS' | 'TCP' ? K : never }[RouteName];
export type HttpRouteName = Exclude<RouteName, UpgradeRouteName>;
export type RoutesOf<G extends RouteGroup> = { [K in RouteName]: Api[K]['group'] extends G ? K : never }[RouteName];
export type ParamsOf<K extends RouteName> = PathParams<Api[K]['path']>;
/** The schema a route entry names for its body or query. */
export type SchemaIn<R, Part extends 'body' | 'query'> = R extends { [P in Part]: Takes<infer S> } ? S : never;
/** Routes with a body (query) schema: schemas.ts must hold one for each. */
export type BodyRoute = { [K in RouteName]: Api[K] extends { body: Takes<z.ZodType> } ? K : never }[RouteName];
export type QueryRoute = { [K in RouteName]: Api[K] extends { query: Takes<z.ZodType> } ? K : never }[RouteName];
/** The body as a client sends it. */
export type BodyInput<K extends RouteName> = K extends BodyRoute ? z.input<SchemaIn<Api[K], 'body'>> : undefined;
/** The body after the server parsed it. */
export type BodyOf<K extends RouteName> = K extends BodyRoute ? z.output<SchemaIn<Api[K], 'body'>> : undefined;
export type QueryOf<K extends RouteName> = K extends QueryRoute ? z.output<SchemaIn<Api[K], 'query'>> : undefined;
export type QueryInput<K extends RouteName> = K extends QueryRoute ? z.input<SchemaIn<Api[K], 'query'>> : undefined;
export type ResponseOf<K extends RouteName> = Api[K]['response'] extends Returns<infer T> ? T : never;

export const ROUTE_NAMES: RouteName[] = Object.keys(API).filter((k): k is RouteName => k in API);

/** The URL path (and query) of a route: what the client requests and the server matches. */
export function apiPath<K extends RouteName>(name: K, params: ParamsOf<K>, query?: Record<string, string | number>): string {
  const path = buildPath(API[name].path, params);
  const search = query ? new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString() : '';
  return search ? `${path}?${search}` : path;
}
