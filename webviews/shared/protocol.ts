// The shape every Sandlot webview protocol has, and how a message finds its handler.
// A protocol names three things: notices the host sends the webview, notices the webview
// sends the host, and requests the webview makes of the host, each with the result it
// gets back. Both sides import the webview's protocol and receive through handler maps
// typed so that a message kind (or request) without a handler fails the build.
// Pure (no DOM, no vscode import): both bundles and the unit tests use it.

/** A message: `kind` says which. `request` and `response` are the channel's own kinds. */
export interface Message {
  kind: string;
}

/** Request name → its parameters and its result. */
export type RequestMap = Record<string, { params: object; result: unknown }>;

export interface WebviewProtocol {
  /** Host → webview notices. */
  toWebview: Message;
  /** Webview → host notices. */
  toHost: Message;
  /** Webview → host requests, each answered once by the host. */
  requests: RequestMap;
}

/** A handler for every kind of `M`; a missing kind is a compile error. */
export type Handlers<M extends Message> = {
  [K in M['kind']]: (message: Extract<M, { kind: K }>) => void;
};

/** An answer for every request of `R`: its result, or a throw/rejection whose message the webview gets. */
export type RequestHandlers<R extends RequestMap> = {
  [K in keyof R]: (params: R[K]['params']) => R[K]['result'] | PromiseLike<R[K]['result']>;
};

/** The request as it crosses: the channel numbers it, the host's answer carries the number back. */
export type RequestMessage<R extends RequestMap> = {
  [K in keyof R & string]: { kind: 'request'; id: number; method: K; params: R[K]['params'] };
}[keyof R & string];

export type ResponseMessage = { kind: 'response'; id: number; result?: unknown } | { kind: 'response'; id: number; error: string };

/** Everything the webview posts to the host. */
export type HostBound<P extends WebviewProtocol> = P['toHost'] | RequestMessage<P['requests']>;
/** Everything the host posts to the webview. */
export type WebviewBound<P extends WebviewProtocol> = P['toWebview'] | ResponseMessage;

export function isMessage(m: unknown): m is Message & Record<string, unknown> {
  return typeof m === 'object' && m !== null && 'kind' in m && typeof m.kind === 'string';
}

function hasOwn<T extends object>(o: T, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/**
 * Routes a received message to its handler. Returns false for anything that is not one
 * of ours (other extensions' or VS Code's own posts reach the same window).
 */
export function dispatch<M extends Message>(handlers: Handlers<M>, message: unknown): boolean {
  if (!isMessage(message) || !hasOwn(handlers, message.kind)) return false;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- the kind was checked above; TypeScript cannot tie a runtime key to its handler's parameter
  (handlers[message.kind] as (m: unknown) => void)(message);
  return true;
}

/** The handler of a request's method, or undefined for a method the map does not have. */
export function requestHandler<R extends RequestMap>(handlers: RequestHandlers<R>, method: unknown): ((params: unknown) => unknown) | undefined {
  if (typeof method !== 'string' || !hasOwn(handlers, method)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- the method was checked above; its params come from the webview built against the same map
  return handlers[method] as (params: unknown) => unknown;
}
