// Checks of a manifest against this host that hold for every driver, made before any
// driver sees the playground: each problem is one line naming the field.
import * as os from 'node:os';
import { parseRamSize, type PlaygroundManifest } from '../manifests/schema';

export interface HostFacts {
  memoryBytes: number;
}

export function hostFacts(): HostFacts {
  return { memoryBytes: os.totalmem() };
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** `playground.machines[0].resources.ramSize: …` lines; empty when the manifest fits the host. */
export function hostProblems(manifest: PlaygroundManifest, host: HostFacts = hostFacts()): string[] {
  const problems: string[] = [];
  manifest.playground.machines.forEach((m, i) => {
    const field = `playground.machines[${i}]`;
    const ram = m.resources?.ramSize;
    if (ram !== undefined && parseRamSize(ram) > host.memoryBytes) {
      problems.push(`${field}.resources.ramSize: ${ram} is more than this host's memory (${gib(host.memoryBytes)})`);
    }
    (m.startupFiles ?? []).forEach((f, j) => {
      // The kernel cuts a path at its first NUL: the file would land somewhere else than the manifest says.
      if (f.path.includes('\0')) problems.push(`${field}.startupFiles[${j}].path: expected a path without NUL bytes, got ${JSON.stringify(f.path)}`);
    });
  });
  return problems;
}
