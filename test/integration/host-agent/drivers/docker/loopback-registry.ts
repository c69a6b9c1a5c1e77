// A registry for tests of `oci://` root drives: the `registry` image on the tests' engine
// with host networking, listening on 127.0.0.1 only, and images built FROM the bare
// `debian` image (OpenSSH, tini, apt) pushed to it — then dropped from the engine, so
// whoever uses them has to pull them from the registry.
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import type { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import type { TestEngine } from './helpers';

export interface LoopbackRegistry {
  /** `127.0.0.1:<port>` */
  address: string;
  /** Builds `FROM debian` + `lines` as `<address>/sandlot-test/<name>`, pushes it, drops it locally; returns `oci://…`. */
  publish(name: string, lines: string[]): Promise<string>;
  stop(): Promise<void>;
}

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

export async function startLoopbackRegistry(engine: TestEngine, driver: DockerDriver): Promise<LoopbackRegistry> {
  const follow = (stream: NodeJS.ReadableStream) =>
    new Promise<void>((resolve, reject) =>
      engine.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = err?.message ?? events.find((e) => e.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      }),
    );
  const image = await driver.images.ensure('registry');
  const address = `127.0.0.1:${await freePort()}`;
  const c = await engine.docker.createContainer({
    Image: image,
    Env: [`REGISTRY_HTTP_ADDR=${address}`],
    Labels: { 'sandlot.test': 'oci-registry' },
    HostConfig: { NetworkMode: 'host' },
  });
  await c.start();
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://${address}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) {
      await c.remove({ force: true });
      throw new Error(`the test registry did not answer on ${address}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    async publish(name, lines) {
      const ref = `${address}/sandlot-test/${name}`;
      const debian = await driver.images.ensure('debian');
      await follow(await engine.docker.buildImage(contextWith([`FROM ${debian}`, ...lines].join('\n') + '\n'), { t: ref, networkmode: 'host' }));
      // The engine wants credentials even for a registry without any.
      await follow(await engine.docker.getImage(ref).push({ authconfig: { serveraddress: address } }));
      await engine.docker.getImage(ref).remove();
      return `oci://${ref}`;
    },
    stop: () => c.remove({ force: true, v: true }),
  };
}
