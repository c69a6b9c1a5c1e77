// The code-server releases the e2e suite runs against (test/e2e/code-server-versions.json,
// installed by scripts/setup.d/70-e2e.sh) and the one this run uses. vitest.config.ts
// makes one e2e project per entry and names its version in SANDLOT_E2E_CODE_SERVER, so
// every suite runs on every version without a copy of its code.
import * as path from 'node:path';
import list from '../code-server-versions.json';
import { repoRoot } from './util';

export interface CodeServerVersion {
  /** The npm package version, e.g. "4.139.1". */
  codeServer: string;
  /** The VS Code it embeds, e.g. "1.139.1" (the install checks it against `--version`). */
  vscode: string;
  /** "system" (the Node running the tests) or an exact release of the npm package `node`. */
  node: string;
}

export const CODE_SERVER_VERSIONS: readonly CodeServerVersion[] = list;
export const VERSION_ENV = 'SANDLOT_E2E_CODE_SERVER';

/** -1, 0 or 1 as dotted version a is below, equal to or above b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The oldest VS Code the suite runs on: the extension's engines.vscode is derived from it. */
export function oldestVersion(versions: readonly CodeServerVersion[] = CODE_SERVER_VERSIONS): CodeServerVersion {
  const [first, ...rest] = versions;
  if (!first) throw new Error('test/e2e/code-server-versions.json lists no version');
  return rest.reduce((a, b) => (compareVersions(b.vscode, a.vscode) < 0 ? b : a), first);
}

/** The version named by SANDLOT_E2E_CODE_SERVER, or the oldest when it is unset (benchmarks). */
export function selectedVersion(env: NodeJS.ProcessEnv = process.env): CodeServerVersion {
  const wanted = env[VERSION_ENV];
  if (!wanted) return oldestVersion();
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
