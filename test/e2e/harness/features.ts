// VS Code APIs that only some of the versions the suite runs on have, so that a suite can
// say "this version has API X" and run a test only there (and skip it, with the reason,
// on the others). Each entry is the release that made the API stable; proposed APIs do
// not count (an extension from the Marketplace cannot use them). The version is the
// selected entry of code-server-versions.json, which CodeServer.start() checks against
// what the running code-server reports, so a skip never rests on a wrong guess.
import { describe, it } from 'vitest';
import { compareVersions, selectedVersion } from './versions';

export const API_SINCE = {
  /**
   * vscode.lm.registerMcpServerDefinitionProvider and contributes.mcpServerDefinitionProviders.
   * (1.100 has it only as the proposed `mcpConfigurationProvider`.) A suite that uses it must
   * set 'chat.disableAIFeatures': false in its session settings: the test profile turns
   * the AI features off (CodeServer.start).
   */
  mcpServerDefinitionProvider: '1.101.0',
} as const;

export type VscodeApi = keyof typeof API_SINCE;

export function hasApi(api: VscodeApi, vscodeVersion: string = selectedVersion().vscode): boolean {
  return compareVersions(vscodeVersion, API_SINCE[api]) >= 0;
}

function skipReason(api: VscodeApi): string {
  return ` (skipped: ${api} needs VS Code ${API_SINCE[api]}, this run is ${selectedVersion().vscode})`;
}

/** A test that runs only on versions with `api`; elsewhere it shows as skipped, saying why. */
export function itWithApi(api: VscodeApi, name: string, fn: () => Promise<void>, timeout?: number): void {
  const has = hasApi(api);
  it.skipIf(!has)(has ? name : name + skipReason(api), fn, timeout);
}

/** A suite that runs only on versions with `api`. */
export function describeWithApi(api: VscodeApi, name: string, fn: () => void): void {
  const has = hasApi(api);
  describe.skipIf(!has)(has ? name : name + skipReason(api), fn);
}
