// Where a suite's screenshots and logs go: test-results/e2e/<code-server version>/<suite>/,
// so the runs on each version sit side by side and one never overwrites the other's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './util';
import { selectedVersion, type CodeServerVersion } from './versions';

/** Empties and returns the suite's directory for this run's version. */
export function artifactsDir(suite: string, version: CodeServerVersion = selectedVersion()): string {
  const dir = path.join(repoRoot(), 'test-results', 'e2e', version.codeServer, suite);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
