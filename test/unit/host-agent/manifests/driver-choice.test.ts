import { describe, expect, it } from 'vitest';
import { chooseDriver, kernelWarnings } from '../../../../host-agent/manifests/driver-choice';
import { loadManifest, loadManifestText } from '../../../../host-agent/manifests/load';
import { withPlayground } from './fixtures';

const plain = loadManifestText(withPlayground(''), 'x');
const vm = loadManifestText(withPlayground('  driver: docker\n', '{ name: dev, backend: cloud-hypervisor, kernel: { source: "6.12" } }'), 'x');

describe('driver choice', () => {
  it("uses playground.driver, else the agent's default", () => {
    expect(chooseDriver(plain, ['sandbox', 'docker'], 'sandbox')).toEqual({ driver: 'sandbox', warnings: [] });
    expect(chooseDriver(loadManifestText(withPlayground('  driver: docker\n'), 'x'), ['sandbox', 'docker'], 'sandbox')).toEqual({
      driver: 'docker',
      warnings: [],
    });
  });

  it('lets backend pick the microvm driver where the agent runs it, over driver, with a warning', () => {
    expect(chooseDriver(vm, ['sandbox', 'docker', 'microvm'], 'sandbox')).toEqual({
      driver: 'microvm',
      warnings: ['playground.driver: "docker" is ignored: playground.machines[0].backend cloud-hypervisor asks for VMs (the iximiuz form wins)'],
    });
    expect(chooseDriver(vm, ['sandbox', 'docker'], 'sandbox')).toEqual({
      driver: 'docker',
      warnings: [
        'playground.machines[0].backend cloud-hypervisor: this agent runs no microvm driver (sandlot agent --driver microvm); the docker driver makes the machines',
      ],
    });
  });

  it('warns at check time when both forms are given, and reports kernels that container drivers cannot boot', () => {
    expect(loadManifest(withPlayground('  driver: docker\n', '{ name: dev, backend: firecracker }'), 'x').warnings).toEqual([
      'playground.driver: "docker" is ignored where the agent runs the microvm driver: playground.machines[0].backend firecracker asks for VMs (the iximiuz form wins)',
    ]);
    expect(kernelWarnings(vm, 'docker', '6.18.0')).toEqual([
      "playground.machines[0].kernel.source: 6.12 is not available: the docker driver shares the host's kernel (6.18.0)",
    ]);
    expect(kernelWarnings(vm, 'microvm', '6.18.0')).toEqual([]);
  });

  it('converts the deprecated access mode, and ignores it next to accessControl', () => {
    const pub = loadManifest(withPlayground('  access: { mode: private }\n'), 'x');
    expect(pub.manifest.playground.accessControl).toEqual({ canList: ['owner'], canRead: ['owner'], canStart: ['owner'] });
    expect(pub.manifest.playground.access).toBeUndefined();
    expect(pub.warnings[0]).toMatch(/^playground\.access: deprecated; mode private converted to accessControl/);
    const both = loadManifest(withPlayground('  access: { mode: public }\n  accessControl: { canStart: [owner] }\n'), 'x');
    expect(both.manifest.playground.accessControl).toEqual({ canStart: ['owner'] });
    expect(both.warnings).toEqual(['playground.access: deprecated and ignored: playground.accessControl is given']);
  });
});
