// Shared by the manifest unit tests: the fixture files and a way to see every problem.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { loadManifest, ManifestError, type LoadOptions } from '../../../../host-agent/manifests/load';

export const FIXTURES = path.join(__dirname, '../../../fixtures/manifests');

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** The problem lines of a manifest that must be refused (each starts with the file name). */
export function problems(text: string, file = 'pg.yaml', opts: LoadOptions = {}): string[] {
  try {
    loadManifest(text, file, opts);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return err.message.split('\n');
  }
  expect.fail('expected the manifest to be refused');
}

/** A one-machine manifest with extra YAML under `playground:` (indented two spaces). */
export const withPlayground = (extra: string, machine = '{ name: dev }'): string =>
  `kind: playground\nname: t\nplayground:\n  machines:\n    - ${machine}\n${extra}`;
