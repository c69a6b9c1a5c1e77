// The code-server releases the e2e suite runs against (test/e2e/code-server-versions.json,
// installed by scripts/setup.d/70-e2e.sh) and the one this run uses. vitest.config.ts
// makes one e2e project per entry and names its version in SANDLOT_E2E_CODE_SERVER, so
// every suite runs on every version without a copy of its code.
import * as path from 'node:path';
import { TESTED_VERSIONS, oldestTested, type TestedVersion } from '../../../extension/manifest/tested-versions';
import { repoRoot } from './util';

export { compareVersions } from '../../../extension/manifest/tested-versions';
export type CodeServerVersion = TestedVersion;
export const CODE_SERVER_VERSIONS = TESTED_VERSIONS;
export const VERSION_ENV = 'SANDLOT_E2E_CODE_SERVER';

/** The version named by SANDLOT_E2E_CODE_SERVER, or the oldest when it is unset (benchmarks). */
export function selectedVersion(env: NodeJS.ProcessEnv = process.env): CodeServerVersion {
  const wanted = env[VERSION_ENV];
  if (!wanted) return oldestTested();
  const v = CODE_SERVER_VERSIONS.find((x) => x.codeServer === wanted);
  if (!v) {
    const known = CODE_SERVER_VERSIONS.map((x) => x.codeServer).join(', ');
    throw new Error(`${VERSION_ENV}=${wanted} is not in test/e2e/code-server-versions.json (known: ${known})`);
  }
  return v;
}

/** Where 70-e2e.sh installs this version. */
export function installDir(v: CodeServerVersion): string {
  return path.join(repoRoot(), 'test/e2e/.code-server', v.codeServer);
}

/** code-server's entry script (its package "bin"), run with nodeBinary(). */
export function entryScript(v: CodeServerVersion): string {
  return path.join(installDir(v), 'node_modules/code-server/out/node/entry.js');
}

/** The Node this version runs on: the tests' own, or the npm package's copy in its runtime/. */
export function nodeBinary(v: CodeServerVersion): string {
  return v.node === 'system' ? process.execPath : path.join(installDir(v), 'runtime/node_modules/node/bin/node');
}
