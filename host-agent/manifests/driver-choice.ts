// Which driver makes a playground's machines. Sandlot's own `playground.driver` picks one;
// iximiuz Labs' `machines[].backend` (firecracker, cloud-hypervisor) asks for virtual
// machines, which Sandlot's microvm driver makes, and wins over `driver` (with a warning)
// where the agent runs that driver. Where it does not, the playground still starts on
// the driver it would have had, and the warning says so.
import type { DriverName } from '../api/protocol';
import type { PlaygroundManifest } from './schema';

export interface DriverChoice {
  driver: DriverName;
  warnings: string[];
}

/** The machine that first asks for a VM, for messages. */
function vmWish(manifest: PlaygroundManifest): string | undefined {
  const i = manifest.playground.machines.findIndex((m) => m.backend !== undefined);
  return i < 0 ? undefined : `playground.machines[${i}].backend ${manifest.playground.machines[i].backend}`;
}

export function chooseDriver(manifest: PlaygroundManifest, available: readonly DriverName[], fallback: DriverName): DriverChoice {
  const asked = manifest.playground.driver;
  const wish = vmWish(manifest);
  if (!wish) return { driver: asked ?? fallback, warnings: [] };
  if (available.includes('microvm')) {
    const warnings = asked && asked !== 'microvm' ? [`playground.driver: "${asked}" is ignored: ${wish} asks for VMs (the iximiuz form wins)`] : [];
    return { driver: 'microvm', warnings };
  }
  const driver = asked ?? fallback;
  return { driver, warnings: [`${wish}: this agent runs no microvm driver (sandlot agent --driver microvm); the ${driver} driver makes the machines`] };
}

/** What `manifest check` can say without an agent: the form that wins when both are given. */
export function driverWarnings(manifest: PlaygroundManifest): string[] {
  const wish = vmWish(manifest);
  const asked = manifest.playground.driver;
  if (!wish || !asked || asked === 'microvm') return [];
  return [`playground.driver: "${asked}" is ignored where the agent runs the microvm driver: ${wish} asks for VMs (the iximiuz form wins)`];
}

/**
 * `kernel.source` on drivers that share the host's kernel: the wish is recorded in the
 * spec, and this says it cannot be honoured. (The microvm driver reports on its own.)
 */
export function kernelWarnings(manifest: PlaygroundManifest, driver: DriverName, hostKernel: string): string[] {
  if (driver === 'microvm') return [];
  return manifest.playground.machines.flatMap((m, i) =>
    m.kernel
      ? [`playground.machines[${i}].kernel.source: ${m.kernel.source} is not available: the ${driver} driver shares the host's kernel (${hostKernel})`]
      : [],
  );
}
