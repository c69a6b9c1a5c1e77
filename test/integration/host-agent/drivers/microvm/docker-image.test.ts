// The docker recipe (the same one the docker driver builds) as a VM image: a Docker
// engine runs inside the machine's own kernel, builds an image from scratch and runs a
// container in it. Driver API directly, real QEMU.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicrovmDriver } from '../../../../../host-agent/drivers/microvm/driver';
import { makePlayground, manifestFrom, recordingContext, sshExec, type TestPlayground } from '../docker/helpers';
import { VM_CACHE, processesMentioning } from './helpers';

describe('microvm driver: docker image', () => {
  let root: string;
  let driver: MicrovmDriver;
  let pg: TestPlayground;
  const ctx = recordingContext();

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-vm-docker-'));
    driver = new MicrovmDriver({ stateHome: root, cacheDir: VM_CACHE });
    pg = makePlayground(
      manifestFrom(
        'kind: playground\nname: vm-docker\nplayground:\n  machines:\n    - name: dind\n      image: docker\n      resources: { cpuCount: 1, ramSize: 1Gi }\n',
      ),
      root,
    );
    await driver.create(pg.spec, ctx);
  }, 900_000);

  afterAll(async () => {
    await driver?.destroy(pg.spec, ctx).catch(() => {});
    await driver?.close();
    for (const pid of processesMentioning(root)) process.kill(pid, 'SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('runs dockerd in the VM; laborant builds and runs a container', async () => {
    const script = [
      'set -e',
      // dockerd is a service of the image's init; it takes a few seconds under TCG.
      'for i in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done',
      'docker info --format "{{.Driver}} {{.KernelVersion}}"',
      'd=$(mktemp -d) && cp /bin/busybox "$d/" && printf "FROM scratch\\nCOPY busybox /bin/busybox\\nCMD [\\"/bin/busybox\\", \\"echo\\", \\"hello from a container in a VM\\"]\\n" >"$d/Dockerfile"',
      'DOCKER_BUILDKIT=0 docker build -q -t vmtest "$d" >/dev/null',
      'docker run --rm --network none vmtest',
    ].join('\n');
    const r = await sshExec(driver, pg, 'dind', 'laborant', script, 180_000);
    expect(r.stderr).toBe('');
    const [info, out] = r.stdout.trim().split('\n');
    // The guest's own kernel (Debian's cloud kernel), not the host's.
    expect(info).toMatch(/^overlay2 \d+\.\d+\.\d+-\d+-cloud-amd64$/);
    expect(out).toBe('hello from a container in a VM');
  }, 240_000);
});
