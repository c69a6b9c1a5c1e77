// `sandlot status`'s warm pool lines: what is held of the budget, each template's ready
// count, one that does not fit the budget, and the last error.
import { describe, expect, it } from 'vitest';
import { warmPoolLines } from '../../../../host-agent/cli/warm-pool-lines';

const GiB = 1024 ** 3;

describe('warmPoolLines', () => {
  it('shows the budget, each template, one too big for it, and why filling failed', () => {
    const lines = warmPoolLines({
      budgetBytes: 2 * GiB,
      heldBytes: GiB,
      templates: [
        { template: 'linux', driver: 'docker', wanted: 2, ready: 0, filling: 1, costBytes: GiB, lastError: 'engine down' },
        { template: 'k3s', driver: 'docker', wanted: 1, ready: 0, filling: 0, costBytes: 4 * GiB },
      ],
    });
    expect(lines).toEqual([
      "warm pool: holds 1GiB of 2GiB (machines' ramSize)",
      '  linux (docker): 0/2 ready, 1 starting, 1GiB each; last error: engine down',
      '  k3s (docker): 0/1 ready, 4GiB each (more than the budget: none kept)',
    ]);
  });

  it('says 0 for an empty pool', () => {
    expect(warmPoolLines({ budgetBytes: 4 * GiB, heldBytes: 0, templates: [] })).toEqual(["warm pool: holds 0 of 4GiB (machines' ramSize)"]);
  });
});
