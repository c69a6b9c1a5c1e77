// How a failed command ends: one line on stderr and a non-zero exit code. The one writer
// of that line for the full CLI (main.ts, which handles commander's own errors first) and
// the lean entry (lean-main.ts); it loads no commander.
import { AgentApiError, AgentUnreachableError } from '../api/client-errors';
import { DriverUnavailableError } from '../drivers/protocol';
import { ManifestError } from '../manifests/errors';
import { errorMessage } from '../util/errors';
import { CliError } from './errors';

export function reportError(err: unknown): void {
  const known =
    err instanceof CliError ||
    err instanceof AgentApiError ||
    err instanceof AgentUnreachableError ||
    err instanceof ManifestError ||
    err instanceof DriverUnavailableError;
  // Unexpected errors still get one line; SANDLOT_DEBUG=1 shows where they came from.
  const message = !known && process.env.SANDLOT_DEBUG && err instanceof Error ? err.stack : errorMessage(err);
  process.stderr.write(`sandlot: ${message}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
