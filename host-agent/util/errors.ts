// The message of anything thrown: an Error's message, else its text. For one-line
// reports where the error's type does not matter.

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
