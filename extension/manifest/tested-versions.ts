// The VS Code versions the extension is tested on: the code-servers the e2e suite runs
// in (test/e2e/code-server-versions.json, installed by scripts/setup.d/70-e2e.sh). The
// manifest declares the oldest of them as engines.vscode, so the .vsix never claims a
// version no test ran on.
import list from '../../test/e2e/code-server-versions.json';

export interface TestedVersion {
  /** The code-server npm package version, e.g. "4.139.1". */
  codeServer: string;
  /** The VS Code it embeds, e.g. "1.139.1" (the install checks it against `--version`). */
  vscode: string;
  /** "system" (the Node running the tests) or an exact release of the npm package `node`. */
  node: string;
}

export const TESTED_VERSIONS: readonly TestedVersion[] = list;

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

/** The entry with the oldest VS Code. */
export function oldestTested(versions: readonly TestedVersion[] = TESTED_VERSIONS): TestedVersion {
  const [first, ...rest] = versions;
  if (!first) throw new Error('test/e2e/code-server-versions.json lists no version');
  return rest.reduce((a, b) => (compareVersions(b.vscode, a.vscode) < 0 ? b : a), first);
}
