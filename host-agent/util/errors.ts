// What a caught value says, without claiming it is an Error: anything can be thrown
// (a string from a library, an object from a worker), and a cast would hide that.

/** The message of a caught value: an Error's message, a string as is, anything else in JSON. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`, …), if the value has one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** The stack when there is one (for logs only, never for users), else the message. */
export function errorDetail(err: unknown): string {
  return err instanceof Error && err.stack ? err.stack : errorMessage(err);
}
