// Every error the agent API reports: one code per kind of failure, each with the one HTTP
// status it is sent with. Callers (CLI, extension) branch on the code, never on a status
// or on message text. No Node-only imports: the extension and webviews import this.

export const API_ERRORS = {
  /** Missing or wrong bearer token. */
  unauthorized: 401,
  /** No route has this path. */
  route_not_found: 404,
  /** The path exists, the method does not. */
  method_not_allowed: 405,
  /** A WebSocket route asked for without an upgrade. */
  upgrade_required: 426,
  body_too_large: 413,
  /** The body is not JSON at all. */
  invalid_json: 400,
  /** The body, a path parameter or the query does not have the route's shape; the message names the field. */
  invalid_request: 400,
  playground_not_found: 404,
  machine_not_found: 404,
  template_not_found: 404,
  content_not_found: 404,
  /** The playground runs no tutorial or challenge. */
  no_content: 404,
  invalid_manifest: 400,
  invalid_content: 400,
  /** The manifest asks for a driver this agent was not started with. */
  driver_not_enabled: 400,
  /** The driver cannot make machines on this host (its preflight failed). */
  driver_unavailable: 503,
  /** The machine's manifest sets noSSH. */
  no_ssh: 403,
  not_running: 409,
  /** The playground's lifetime ended; extend it first. */
  expired: 409,
  /** A user-input task did not take the answer (not an input task, or not waiting for one). */
  task_input_refused: 409,
  /** The agent could not record the change (full disk, I/O error); nothing was changed. */
  state_not_saved: 507,
  snapshot_not_found: 404,
  /** The playground's driver cannot snapshot or fork (yet). */
  snapshot_unsupported: 501,
  /** The snapshot is partial or its files do not match what it recorded: it is never forked. */
  snapshot_damaged: 409,
  /** A playground forked from the snapshot, or a template saved from it, still uses it. */
  snapshot_in_use: 409,
  /** The driver could not copy the machines; nothing was kept. */
  snapshot_failed: 500,
  /** A snapshot or template of that name exists. */
  name_taken: 409,
  /** Built-in templates are part of Sandlot; only the user's own can be removed. */
  template_not_removable: 409,
  /** The machine port could not be reached through the driver. */
  connect_failed: 502,
  /** The command could not be run in the machine, or its stream broke. */
  exec_failed: 502,
  /** The agent answered something that is not the API (client side). */
  bad_response: 502,
  internal: 500,
} as const satisfies Record<string, number>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The body of every error answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** An error the API reports with its code's status and a one-line message. */
export class ApiProblem extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiProblem';
    this.status = API_ERRORS[code];
  }
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(API_ERRORS, value);
}
