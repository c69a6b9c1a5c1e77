// The shape `sandlot images prune --json` prints, as the prune tests read it: the CLI wrote
// it, so it is parsed as its own JSON rather than checked field by field.
import type { KeptItem, PruneItem } from '../../../../../host-agent/images/prune/plan';
import { parseOwnJson } from '../../../../../host-agent/util/json';

export interface PruneReportJson {
  dryRun: boolean;
  removed: PruneItem[];
  kept: KeptItem[];
  failed: Array<PruneItem & { error: string }>;
  skipped: Array<{ driver: string; reason: string }>;
  freedBytes: number;
}

export function parsePruneReport(stdout: string): PruneReportJson {
  return parseOwnJson<PruneReportJson>(stdout);
}
