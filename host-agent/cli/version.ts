// The CLI's version: package.json's (esbuild bundles only this field of it). One constant
// for commander's `--version` and the launcher's fast answer to it.
import { version } from '../../package.json';

export const VERSION = version;

/** `sandlot --version` or `-V` and nothing else: the launcher answers it without loading the CLI. */
export function asksOnlyVersion(args: readonly string[]): boolean {
  return args.length === 1 && (args[0] === '--version' || args[0] === '-V');
}
