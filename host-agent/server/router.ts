// Dispatch by the route table (api/protocol.ts): finds the route of a request, parses its
// body and query with the route's schema, and calls the handler the map holds for it.
// The map's type has one key per route, so a route without a handler does not compile.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { matchPath } from '../api/paths';
import {
  API,
  ApiProblem,
  COMMON_ERRORS,
  ROUTE_NAMES,
  type Api,
  type ApiErrorCode,
  type BodyOf,
  type ParamsOf,
  type QueryOf,
  type ResponseOf,
  type RouteGroup,
  type RouteName,
  type RoutesOf,
} from '../api/protocol';
import { BODY_SCHEMAS, QUERY_SCHEMAS } from '../api/schemas';
import { readJsonBody, type JsonText } from './http';
import { parseRequest } from './parse-request';

export interface RequestContext<K extends RouteName> {
  params: ParamsOf<K>;
  query: QueryOf<K>;
  body: BodyOf<K>;
  req: IncomingMessage;
}

/** A JSON route answers its response type, or that response already serialized (JsonText). */
export type JsonHandler<K extends RouteName> = (ctx: RequestContext<K>) => JsonReply<K> | Promise<JsonReply<K>>;
type JsonReply<K extends RouteName> = ResponseOf<K> | JsonText<ResponseOf<K>>;
/** `ndjson` routes write their own response (status, then one JSON value per line). */
export type StreamHandler<K extends RouteName> = (ctx: RequestContext<K>, res: ServerResponse) => Promise<void>;
/**
 * WebSocket routes check the request and prepare the target before the upgrade, so a
 * refusal is a plain HTTP error with a message (a client never sees a socket that then
 * closes); they resolve with what to do with the accepted socket.
 */
export type UpgradeHandler<K extends RouteName> = (ctx: RequestContext<K>) => OnOpen | Promise<OnOpen>;

/** What an upgrade handler does with the accepted socket. */
export type OnOpen = (ws: WebSocket) => void;

/** `tcp` routes: as WebSocket routes, then the upgraded connection itself (after its 101 answer) is the stream. */
export type TcpHandler<K extends RouteName> = (ctx: RequestContext<K>) => OnConnection | Promise<OnConnection>;
export type OnConnection = (socket: Duplex) => void;

export type Handler<K extends RouteName> = Api[K]['reply'] extends 'json'
  ? JsonHandler<K>
  : Api[K]['reply'] extends 'ndjson'
    ? StreamHandler<K>
    : Api[K]['reply'] extends 'tcp'
      ? TcpHandler<K>
      : UpgradeHandler<K>;

/** The protocols an upgrade may ask for (`Upgrade:`), each served by routes of one method. */
export type UpgradeProtocol = 'websocket' | 'tcp';
const UPGRADE_METHOD = { websocket: 'WS', tcp: 'TCP' } as const;

/** The protocol of an upgrade request, or undefined for one this server does not speak. */
export function upgradeProtocol(header: string | undefined): UpgradeProtocol | undefined {
  const p = header?.trim().toLowerCase();
  return p === 'websocket' || p === 'tcp' ? p : undefined;
}

/** One handler for every route of the groups. */
export type Handlers<G extends RouteGroup> = { [K in RoutesOf<G>]: Handler<K> };

export interface FoundRoute {
  name: RouteName;
  params: Record<string, string>;
}

/** The route a request is for (`upgrade`: the protocol an upgrade request asks for); a 404/405/426 problem when there is none. */
export function findRoute(method: string, pathname: string, upgrade?: UpgradeProtocol): FoundRoute {
  let pathKnown = false;
  let upgradeOnly: UpgradeProtocol | undefined;
  for (const name of ROUTE_NAMES) {
    const spec = API[name];
    const match = matchPath(spec.path, pathname);
    if (!match) continue;
    if ('malformed' in match) throw new ApiProblem('invalid_request', match.malformed);
    pathKnown = true;
    if (upgrade ? spec.method === UPGRADE_METHOD[upgrade] : spec.method === method) return { name, params: match.params };
    if (spec.method === 'WS') upgradeOnly = 'websocket';
    if (spec.method === 'TCP') upgradeOnly = 'tcp';
  }
  if (upgrade) throw new ApiProblem('route_not_found', `no ${upgrade === 'tcp' ? 'tcp upgrade' : 'WebSocket'} route ${pathname}`);
  if (upgradeOnly === 'websocket' && method === 'GET')
    throw new ApiProblem('upgrade_required', `${pathname} is a WebSocket route: connect with an Upgrade request`);
  if (upgradeOnly === 'tcp' && method === 'GET') throw new ApiProblem('upgrade_required', `${pathname} is a tcp route: connect with Upgrade: tcp`);
  if (pathKnown) throw new ApiProblem('method_not_allowed', `${method} is not allowed on ${pathname}`);
  throw new ApiProblem('route_not_found', `no API route ${pathname}`);
}

/** A request checked against its route's schemas, before it is handed to that route's handler. */
export interface CheckedRequest {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  req: IncomingMessage;
}

/** Parameters, query and body of a found route, checked against its schemas. */
export async function checkRequest(found: FoundRoute, req: IncomingMessage, url: URL): Promise<CheckedRequest> {
  const querySchema = schemaFor(QUERY_SCHEMAS, found.name);
  const bodySchema = schemaFor(BODY_SCHEMAS, found.name);
  const query = querySchema ? parseRequest(querySchema, Object.fromEntries(url.searchParams), 'query') : undefined;
  let body: unknown;
  if (bodySchema) {
    const raw = await readJsonBody(req);
    body = parseRequest(bodySchema, raw === undefined ? {} : raw, 'request body');
  } else if (!req.headers.upgrade) {
    req.resume(); // a body nobody reads would stall the connection
  }
  return { params: found.params, query, body, req };
}

function schemaFor(schemas: Partial<Record<RouteName, z.ZodType>>, name: RouteName): z.ZodType | undefined {
  return schemas[name];
}

/**
 * The handler of a route, to be called with that route's CheckedRequest. The table pairs
 * each route's schemas with its handler's parameter types; TypeScript cannot correlate a
 * union of checked requests with a union of handlers, so this is the one place that says so.
 */
export function handlerFor<F>(table: Partial<Record<RouteName, unknown>>, name: RouteName): F {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- see above: the route table checked the request this handler gets
  return table[name] as F;
}

/** Whether the table lists `code` for the route (a handler answering another is a bug to log). */
export function declaresError(name: RouteName, code: ApiErrorCode): boolean {
  return (COMMON_ERRORS as readonly ApiErrorCode[]).includes(code) || (API[name].errors as readonly ApiErrorCode[]).includes(code);
}
