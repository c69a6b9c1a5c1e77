// What a manifest must satisfy beyond each field's own shape: names unique, references
// that resolve, networks that plan, drives that make one root. Problems refuse the
// manifest; warnings (a field ignored because another form wins) are shown and kept.
import { driverWarnings } from './driver-choice';
import { drivesTotalProblem, machineDrives } from './drives';
import { initProblems } from './init';
import { planNetworks } from './networks';
import type { PlaygroundManifest } from './schema';
import { resolveTabs } from './tabs';

export interface ManifestFindings {
  problems: string[];
  warnings: string[];
}

export function checkManifest(manifest: PlaygroundManifest): ManifestFindings {
  const problems: string[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  const driveSizes: number[] = [];
  manifest.playground.machines.forEach((m, i) => {
    const prev = seen.get(m.name);
    if (prev !== undefined) {
      problems.push(`playground.machines[${i}].name: duplicate machine name "${m.name}" (also playground.machines[${prev}])`);
    }
    seen.set(m.name, i);
    const users = m.users ?? [];
    const defaults = users.filter((u) => u.default);
    if (defaults.length > 1) problems.push(`playground.machines[${i}].users: expected at most one user with default: true`);
    const userNames = new Set<string>();
    users.forEach((u, j) => {
      if (userNames.has(u.name)) problems.push(`playground.machines[${i}].users[${j}].name: duplicate user "${u.name}"`);
      userNames.add(u.name);
    });
    const drives = machineDrives(m, i);
    problems.push(...drives.problems);
    warnings.push(...drives.warnings);
    for (const d of drives.drives) if (d.sizeBytes !== undefined) driveSizes.push(d.sizeBytes);
  });
  const total = drivesTotalProblem(driveSizes);
  if (total) problems.push(total);
  problems.push(...planNetworks(manifest).problems);
  problems.push(...resolveTabs(manifest).problems);
  problems.push(...initProblems(manifest));
  warnings.push(...driverWarnings(manifest));
  return { problems, warnings };
}
