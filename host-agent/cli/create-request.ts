// What `sandlot start` and `sandlot run` send to make a playground: a template name or a
// manifest file's text, its lifetime and init condition values, from their shared options.
import * as fs from 'node:fs';
import type { CreatePlaygroundRequest } from '../api/protocol';
import { parseInitArgs } from '../manifests/init';
import { errorCode, errorMessage } from '../util/errors';
import { CliError } from './errors';

export interface CreateOptions {
  file?: string;
  lifetime?: string;
  input: string[];
}

/** Checks `-i key=value` (before anything is made) and says what is wrong in one line per problem. */
export function initInputs(input: readonly string[]): Pick<CreatePlaygroundRequest, 'inputs'> {
  const init = parseInitArgs(input);
  if (init.problems.length > 0) throw new CliError(init.problems.join('\n'));
  return input.length > 0 ? { inputs: init.values } : {};
}

/** The request for `template` or `-f file`, with `--lifetime` and `-i`. */
export function createRequest(template: string | undefined, o: CreateOptions): CreatePlaygroundRequest {
  const inputs = initInputs(o.input);
  let lifetimeMinutes: number | undefined;
  if (o.lifetime !== undefined) {
    lifetimeMinutes = Number(o.lifetime);
    if (!Number.isFinite(lifetimeMinutes) || lifetimeMinutes <= 0) throw new CliError(`--lifetime: expected a number of minutes, got "${o.lifetime}"`);
  }
  if (!o.file) return { template, lifetimeMinutes, ...inputs };
  let text: string;
  try {
    text = fs.readFileSync(o.file, 'utf8');
  } catch (err) {
    throw new CliError(`-f ${o.file}: ${errorCode(err) === 'ENOENT' ? 'no such file' : errorMessage(err)}`);
  }
  return { manifest: text, manifestName: o.file, lifetimeMinutes, ...inputs };
}
