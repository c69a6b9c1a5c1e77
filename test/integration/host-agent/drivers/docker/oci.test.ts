// Root drives from an OCI image with the docker driver: a registry the test starts on
// loopback (the `registry` image, host network, 127.0.0.1 only) holds a plain Debian
// image with OpenSSH and a marker; a playground whose root drive is `oci://…` of it pulls
// it through the engine, gets the Sandlot machine layer on top and answers SSH as the
// manifest's users. An image without sshd and an unreachable registry fail with one line.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { startLoopbackRegistry, type LoopbackRegistry } from './loopback-registry';
import { makePlayground, manifestFrom, recordingContext, sshExec, startTestEngine, type TestEngine, type TestPlayground } from './helpers';

function machineManifest(source: string): string {
  return `
kind: playground
name: oci
playground:
  machines:
    - name: box
      users: [{ name: laborant, default: true }, { name: root }]
      drives:
        - { source: "${source}", mount: / }
`;
}

describe('docker driver: oci:// root drives', () => {
  let engine: TestEngine;
  let driver: DockerDriver;
  let stateHome: string;
  let registry: LoopbackRegistry | undefined;
  const made: TestPlayground[] = [];
  const ctx = recordingContext();

  beforeAll(async () => {
    engine = await startTestEngine();
    stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-oci-'));
    driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    await driver.images.ensure('linux');
    registry = await startLoopbackRegistry(engine, driver);
  }, 900_000);

  afterAll(async () => {
    for (const pg of made) await driver.destroy(pg.spec, ctx).catch(() => {});
    await registry?.stop();
    for (const img of await engine.docker.listImages({ filters: JSON.stringify({ label: ['sandlot.image=oci'] }) })) {
      await engine.docker
        .getImage(img.Id)
        .remove({ force: true })
        .catch(() => {});
    }
    await engine?.stop();
    if (stateHome) fs.rmSync(stateHome, { recursive: true, force: true });
  }, 120_000);

  it('pulls the image through the engine, adds the machine layer and answers SSH as the manifest users', async () => {
    const source = await registry!.publish('machine:v1', ['RUN echo oci-marker > /etc/oci-marker']);
    const pg = makePlayground(manifestFrom(machineManifest(source)), path.join(stateHome, 'playgrounds'));
    made.push(pg);
    expect(pg.spec.machines[0].image).toBe(source);
    await driver.create(pg.spec, ctx);
    expect(ctx.steps).toContain(`image ${source} started: pulling the OCI image and adding the machine layer`);
    const r = await sshExec(driver, pg, 'box', 'laborant', 'cat /etc/oci-marker; id -un; sudo -n true 2>/dev/null && echo sudo || echo no-sudo; hostname');
    // The first boot made the user (not in the image) with its sudoers line.
    expect(r.stdout.trim().split('\n')).toEqual(['oci-marker', 'laborant', 'sudo', 'box']);
    const root = await sshExec(driver, pg, 'box', 'root', 'readlink /proc/1/exe; cat /proc/1/cmdline | tr "\\0" " "');
    expect(root.stdout).toContain('/usr/local/sbin/sandlot-tini -g -- /usr/local/sbin/sandlot-init');
  }, 300_000);

  it('refuses an image without an OpenSSH server, saying so', async () => {
    const source = await registry!.publish('nossh:v1', ['RUN rm -f /usr/sbin/sshd']);
    const pg = makePlayground(manifestFrom(machineManifest(source)), path.join(stateHome, 'playgrounds'));
    made.push(pg);
    await expect(driver.create(pg.spec, ctx)).rejects.toThrow(`${source}: image ${source}: build failed`);
    expect(ctx.steps.find((s) => s.startsWith(`image ${source} failed`))).toContain('this OCI image has no OpenSSH server (/usr/sbin/sshd)');
  }, 300_000);

  it('says which image could not be pulled', async () => {
    const source = `oci://127.0.0.1:1/sandlot-test/missing:v1`;
    const pg = makePlayground(manifestFrom(machineManifest(source)), path.join(stateHome, 'playgrounds'));
    made.push(pg);
    await expect(driver.create(pg.spec, ctx)).rejects.toThrow(`${source}: the engine cannot pull 127.0.0.1:1/sandlot-test/missing:v1:`);
  });
});
