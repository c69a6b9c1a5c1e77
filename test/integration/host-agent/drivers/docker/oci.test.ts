// Root drives from an OCI image with the docker driver: a registry the test starts on
// loopback (the `registry` image, host network, 127.0.0.1 only) holds a plain Debian
// image with OpenSSH and a marker; a playground whose root drive is `oci://…` of it pulls
// it through the engine, gets the Sandlot machine layer on top and answers SSH as the
// manifest's users. An image without sshd and an unreachable registry fail with one line.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { makePlayground, manifestFrom, recordingContext, sshExec, startTestEngine, type TestEngine, type TestPlayground } from './helpers';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A build context holding only a Dockerfile, as a tar stream. */
function contextWith(dockerfile: string): NodeJS.ReadableStream {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  pack.finalize();
  // tar-stream's Pack lacks some of the stream methods the engine client's types ask for.
  return pack.pipe(new PassThrough());
}

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
  let registry = '';
  let registryId = '';
  const made: TestPlayground[] = [];
  const ctx = recordingContext();
  const follow = (stream: NodeJS.ReadableStream) =>
    new Promise<void>((resolve, reject) =>
      engine.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = err?.message ?? events.find((e) => e.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      }),
    );

  /** Builds `FROM debian + lines`, pushes it to the loopback registry and drops the local copy. */
  async function publish(name: string, lines: string[]): Promise<string> {
    const ref = `${registry}/sandlot-test/${name}`;
    const debian = await driver.images.ensure('debian');
    await follow(await engine.docker.buildImage(contextWith([`FROM ${debian}`, ...lines].join('\n') + '\n'), { t: ref, networkmode: 'host' }));
    // The engine wants credentials even for a registry without any.
    await follow(await engine.docker.getImage(ref).push({ authconfig: { serveraddress: registry } }));
    // So the driver has to pull it from the registry.
    await engine.docker.getImage(ref).remove();
    return `oci://${ref}`;
  }

  beforeAll(async () => {
    engine = await startTestEngine();
    stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-oci-'));
    driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    const registryImage = await driver.images.ensure('registry');
    await driver.images.ensure('linux');
    const port = await freePort();
    registry = `127.0.0.1:${port}`;
    const c = await engine.docker.createContainer({
      Image: registryImage,
      Env: [`REGISTRY_HTTP_ADDR=${registry}`],
      Labels: { 'sandlot.test': 'oci-registry' },
      HostConfig: { NetworkMode: 'host' },
    });
    registryId = c.id;
    await c.start();
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://${registry}/v2/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error(`the test registry did not answer on ${registry}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 900_000);

  afterAll(async () => {
    for (const pg of made) await driver.destroy(pg.spec, ctx).catch(() => {});
    if (registryId) await engine.docker.getContainer(registryId).remove({ force: true, v: true });
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
    const source = await publish('machine:v1', ['RUN echo oci-marker > /etc/oci-marker']);
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
    const source = await publish('nossh:v1', ['RUN rm -f /usr/sbin/sshd']);
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
