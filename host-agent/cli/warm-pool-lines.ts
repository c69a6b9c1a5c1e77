// `sandlot status`: the agent's warm pool, one line for the pool and one per template.
import type { WarmPoolInfo } from '../api/protocol';
import { formatSize } from '../manifests/sizes';

const size = (bytes: number) => (bytes === 0 ? '0' : formatSize(bytes));

export function warmPoolLines(pool: WarmPoolInfo): string[] {
  return [
    `warm pool: holds ${size(pool.heldBytes)} of ${size(pool.budgetBytes)} (machines' ramSize)`,
    ...pool.templates.map(
      (t) =>
        `  ${t.template} (${t.driver}): ${t.ready}/${t.wanted} ready${t.filling ? `, ${t.filling} starting` : ''}, ${size(t.costBytes)} each` +
        (t.costBytes > pool.budgetBytes ? ' (more than the budget: none kept)' : '') +
        (t.lastError ? `; last error: ${t.lastError}` : ''),
    ),
  ];
}
