// The message of anything thrown: an Error's message, else its text. For one-line
// reports where the error's type does not matter.

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The `code` of a Node system error (`ENOENT`, `ENOSPC`, …), if it has one. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
