import { describe, expect, it } from 'vitest';
import { compareVersions, oldestTested, TESTED_VERSIONS } from '../../../../extension/manifest/tested-versions';
import { hasApi } from '../../../e2e/harness/features';

describe('tested VS Code versions', () => {
  it('compares dotted versions numerically', () => {
    expect(compareVersions('1.100.3', '1.139.1')).toBe(-1);
    expect(compareVersions('1.139.1', '1.100.3')).toBe(1);
    expect(compareVersions('1.9.0', '1.10.0')).toBe(-1);
    expect(compareVersions('1.101', '1.101.0')).toBe(0);
  });

  it('picks the oldest whatever the order of the list', () => {
    const list = [
      { codeServer: 'b', vscode: '1.139.1', node: '24.21.0' },
      { codeServer: 'a', vscode: '1.100.3', node: 'system' },
    ];
    expect(oldestTested(list).codeServer).toBe('a');
    expect(() => oldestTested([])).toThrow(/lists no version/);
    expect(TESTED_VERSIONS.length).toBeGreaterThanOrEqual(2);
  });

  it('says which versions have an API that only newer VS Code has', () => {
    expect(hasApi('mcpServerDefinitionProvider', '1.100.3')).toBe(false);
    expect(hasApi('mcpServerDefinitionProvider', '1.101.0')).toBe(true);
    expect(hasApi('mcpServerDefinitionProvider', '1.139.1')).toBe(true);
  });
});
