// The docker image (Docker-in-Docker) and the per-playground registry: an image pushed
// to registry.sandlot.local from one machine runs on another; registryAuth protects it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { loadTemplate, makePlayground, manifestFrom, recordingContext, sshExec, startTestEngine, type TestEngine, type TestPlayground } from './helpers';

// The inner engine starts in the background after sshd; wait for it rather than race it.
const WAIT_FOR_DOCKER = 'for i in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done';

describe('docker template: engine inside the machine and the playground registry', () => {
  let engine: TestEngine;
  let driver: DockerDriver;
  let stateHome: string;
  const made: TestPlayground[] = [];
  const ctx = recordingContext();

  beforeAll(async () => {
    engine = await startTestEngine();
    stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-test-'));
    driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    await driver.images.ensure('docker');
    await driver.images.ensure('registry');
  }, 900_000);

  afterAll(async () => {
    for (const pg of made) await driver.destroy(pg.spec, ctx).catch(() => {});
    await engine?.stop();
    if (stateHome) fs.rmSync(stateHome, { recursive: true, force: true });
  }, 120_000);

  it('pushes an image from dev to registry.sandlot.local and runs it on node-01', async () => {
    const pg = makePlayground(loadTemplate('docker-multi'), path.join(stateHome, 'playgrounds'));
    made.push(pg);
    await driver.create(pg.spec, ctx);

    // laborant (the default user) drives the inner engine without sudo.
    const push = await sshExec(
      driver,
      pg,
      'dev',
      'laborant',
      [
        'set -e',
        WAIT_FOR_DOCKER,
        // No registry on the internet is reachable: make a one-file image from busybox.
        'rm -rf /tmp/app && mkdir -p /tmp/app/bin && cp /bin/busybox /tmp/app/bin/busybox',
        `tar -C /tmp/app -c . | docker import -c 'ENTRYPOINT ["/bin/busybox"]' -c 'CMD ["echo","hello from the playground registry"]' - registry.sandlot.local/app:v1 >/dev/null`,
        'docker push -q registry.sandlot.local/app:v1',
      ].join('\n'),
      180_000,
    );
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);

    const pull = await sshExec(
      driver,
      pg,
      'node-01',
      'laborant',
      `set -e\n${WAIT_FOR_DOCKER}\ndocker images -q registry.sandlot.local/app:v1 | wc -l\ndocker run --rm registry.sandlot.local/app:v1`,
      180_000,
    );
    expect(pull.code).toBe(0);
    // Not there before the run, so the run pulled it.
    expect(pull.stdout.trim().split('\n')).toEqual(['0', 'hello from the playground registry']);

    // The DinD engine keeps its data on a volume of this playground; destroy removes it.
    const filters = JSON.stringify({ label: [`sandlot.playground=${pg.spec.id}`] });
    expect(((await engine.docker.listVolumes({ filters })).Volumes ?? []).length).toBe(2);
    await driver.destroy(pg.spec, ctx);
    expect((await engine.docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
    expect(await engine.docker.listContainers({ all: true, filters })).toEqual([]);
  }, 300_000);

  it('protects the registry with registryAuth and gives machines the credentials', async () => {
    const pg = makePlayground(
      manifestFrom(`
kind: playground
name: authed
playground:
  registryAuth: "alice:s3cret-pass"
  machines:
    - name: dev
      image: linux
      users: [{ name: root, default: true }, { name: laborant }]
`),
      path.join(stateHome, 'playgrounds'),
    );
    made.push(pg);
    await driver.create(pg.spec, ctx);
    const r = await sshExec(
      driver,
      pg,
      'dev',
      'laborant',
      [
        'for i in $(seq 50); do curl -s -o /dev/null http://registry.sandlot.local/v2/ && break; sleep 0.2; done',
        'curl -s -o /dev/null -w "%{http_code}\\n" http://registry.sandlot.local/v2/',
        'curl -s -o /dev/null -w "%{http_code}\\n" -u alice:s3cret-pass http://registry.sandlot.local/v2/',
        'curl -s -o /dev/null -w "%{http_code}\\n" -u alice:wrong http://registry.sandlot.local/v2/',
        // The docker client's credentials, written at first boot.
        'grep -c registry.sandlot.local ~/.docker/config.json',
      ].join('\n'),
    );
    expect(r.stdout.trim().split('\n')).toEqual(['401', '200', '401', '1']);
  }, 120_000);
});
