// Checks of a new playground against this host that hold for every driver, made before
// any driver sees it: each problem is one line naming the manifest field. Sizes use the
// drivers' own check (one wording everywhere); the manager applies it to all drivers.
import * as os from 'node:os';
import type { DriverName } from '../api/protocol';
import { hostSizeProblems } from '../drivers/machine-checks';
import type { PlaygroundSpec } from '../drivers/protocol';

export interface HostFacts {
  memBytes: number;
  cpus: number;
}

export function hostFacts(): HostFacts {
  return { memBytes: os.totalmem(), cpus: os.cpus().length };
}

/** Lines like `playground.machines[0].resources.ramSize: …`; empty when the playground fits the host. */
export function hostProblems(spec: PlaygroundSpec, driver: DriverName, host: HostFacts = hostFacts()): string[] {
  const problems: string[] = [];
  for (const m of spec.machines) {
    problems.push(...hostSizeProblems(m, host, driver));
    (spec.manifest.playground.machines[m.index].startupFiles ?? []).forEach((f, j) => {
      // The kernel cuts a path at its first NUL: the file would land somewhere else than the manifest says.
      if (f.path.includes('\0')) {
        problems.push(`playground.machines[${m.index}].startupFiles[${j}].path: expected a path without NUL bytes, got ${JSON.stringify(f.path)}`);
      }
    });
  }
  return problems;
}
