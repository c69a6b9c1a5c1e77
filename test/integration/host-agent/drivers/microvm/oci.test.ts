// Root drives from an OCI image with the microvm driver: a registry on loopback (the
// docker tests' engine runs it, host network, 127.0.0.1 only) holds a plain Debian image
// with a marker; the driver pulls it with skopeo, unpacks it with umoci, adds the Sandlot
// layers, boots it as a VM and answers SSH as the manifest's users; a restart does not
// pull again. An unreachable registry fails with one line naming the source.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { MicrovmDriver } from '../../../../../host-agent/drivers/microvm/driver';
import { makePlayground, manifestFrom, recordingContext, sshExec, startTestEngine, type TestEngine, type TestPlayground } from '../docker/helpers';
import { startLoopbackRegistry, type LoopbackRegistry } from '../docker/loopback-registry';
import { VM_CACHE, removeVmHome } from './helpers';

function manifest(source: string): string {
  return `
kind: playground
name: vm-oci
playground:
  machines:
    - name: box
      users: [{ name: laborant, default: true }, { name: root }]
      resources: { cpuCount: 1, ramSize: 512Mi }
      drives:
        - { source: "${source}", mount: / }
`;
}

describe('microvm driver: oci:// root drives', () => {
  let engine: TestEngine;
  let registry: LoopbackRegistry | undefined;
  let driver: MicrovmDriver;
  let home: string;
  const made: TestPlayground[] = [];
  const ctx = recordingContext();

  beforeAll(async () => {
    engine = await startTestEngine();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-vmoci-'));
    registry = await startLoopbackRegistry(engine, new DockerDriver({ stateHome: home, dockerHost: engine.dockerHost }));
    driver = new MicrovmDriver({ stateHome: home, cacheDir: VM_CACHE });
  }, 900_000);

  afterAll(async () => {
    for (const pg of made) await driver.destroy(pg.spec, ctx).catch(() => {});
    await driver?.close();
    await registry?.stop();
    await engine?.stop();
    removeVmHome(home);
  }, 120_000);

  it('pulls, unpacks and boots the image as a machine of the playground', async () => {
    const source = await registry!.publish('vm-machine:v1', ['RUN echo vm-oci-marker > /etc/oci-marker']);
    const pg = makePlayground(manifestFrom(manifest(source)), path.join(home, 'playgrounds'));
    made.push(pg);
    await driver.validate(pg.spec);
    await driver.create(pg.spec, ctx);
    expect(ctx.steps).toContain(`image ${source} done`);
    const r = await sshExec(driver, pg, 'box', 'laborant', 'cat /etc/oci-marker; id -un; hostname; uname -r', 120_000);
    const [marker, user, host, kernel] = r.stdout.trim().split('\n');
    expect([marker, user, host]).toEqual(['vm-oci-marker', 'laborant', 'box']);
    // Its own kernel, not the host's.
    expect(kernel).not.toBe(os.release());

    // A restart boots the same disk without asking the registry.
    await registry!.stop();
    registry = undefined;
    await driver.stop(pg.spec, ctx);
    await driver.start(pg.spec, ctx);
    expect((await sshExec(driver, pg, 'box', 'root', 'cat /etc/oci-marker', 120_000)).stdout).toBe('vm-oci-marker\n');
  }, 900_000);

  it('says which image could not be pulled', async () => {
    const source = 'oci://127.0.0.1:1/sandlot-test/missing:v1';
    const pg = makePlayground(manifestFrom(manifest(source)), path.join(home, 'playgrounds'));
    made.push(pg);
    await expect(driver.create(pg.spec, ctx)).rejects.toThrow(`${source}: cannot pull 127.0.0.1:1/sandlot-test/missing:v1:`);
  }, 120_000);
});
