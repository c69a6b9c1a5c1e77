// The errors AgentClient rejects with. Their own module: the CLI's entry tells them apart
// from unexpected errors without loading the client (and node:http) for `--version`.
import type { ApiErrorCode } from './errors';

/** The agent answered with an error; branch on `code` (see errors.ts), not on `status`. */
export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentApiError';
  }
}

/** True when `err` is the agent's answer with this code. */
export function isApiError(err: unknown, code: ApiErrorCode): err is AgentApiError {
  return err instanceof AgentApiError && err.code === code;
}

/** No agent answered at the address (refused, missing socket, timed out). */
export class AgentUnreachableError extends Error {
  constructor(url: string, cause: string) {
    super(`no Sandlot agent answers at ${url} (${cause}); start one with: sandlot agent`);
    this.name = 'AgentUnreachableError';
  }
}
