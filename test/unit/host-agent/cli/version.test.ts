import { describe, expect, it } from 'vitest';
import { asksOnlyVersion } from '../../../../host-agent/cli/version';

describe('the launcher answers the version alone', () => {
  it('for --version or -V and nothing else', () => {
    expect(asksOnlyVersion(['--version'])).toBe(true);
    expect(asksOnlyVersion(['-V'])).toBe(true);
    expect(asksOnlyVersion([])).toBe(false);
    expect(asksOnlyVersion(['--version', '--help'])).toBe(false);
    expect(asksOnlyVersion(['list', '--version'])).toBe(false);
    expect(asksOnlyVersion(['-v'])).toBe(false);
  });
});
