// iximiuz Labs' task helpers against a real Docker engine, inside a `docker` playground
// on the docker driver (dockerd runs in the machine). First a challenge written the way
// iximiuz Labs' sample challenge is — start a container, then tell its ID, PID and IP, each
// checked with docker_container_count_* / _pid / _ip / _is_running — solved by hand over
// SSH through `sandlot content start`; all four tasks must complete. Then every docker_*
// helper called in the machine and compared with what `docker inspect` itself says.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { DockerDriver } from '../../../../host-agent/drivers/docker/driver';
import { connectMachine } from '../../../../host-agent/ssh/connect';
import { buildProgram } from '../../../../host-agent/tasks/program';
import { errorMessage } from '../../../../host-agent/util/errors';
import { parseOwnJson } from '../../../../host-agent/util/json';
import { remoteCommand } from '../../../../host-agent/tasks/runner';
import { cli, startAgent, tempHome, type AgentHandle } from '../../../helpers/agent-process';
import { execOn, type ExecResult } from '../../../helpers/ssh-exec';
import { removePlaygroundLeftovers, startTestEngine, type TestEngine } from '../drivers/docker/helpers';

/** A challenge in iximiuz Labs' format, written for this test (its tasks use the documented helpers). */
const CHALLENGE = `---
kind: challenge
title: Start a container and look inside
description: Run one long-lived container, then find its ID, its main PID and its IP address.
playground:
  name: docker
tasks:
  init_engine:
    init: true
    timeout_seconds: 90
    run: |
      until docker info >/dev/null 2>&1; do sleep 1; done
  init_image:
    init: true
    needs: [init_engine]
    run: |
      set -e
      mkdir -p /opt/tiny && cd /opt/tiny
      cp "$(command -v busybox)" busybox
      printf 'FROM scratch\\nCOPY busybox /bin/busybox\\nENTRYPOINT ["/bin/busybox"]\\nCMD ["sleep", "infinity"]\\n' > Dockerfile
      docker build -q -t tiny:1 . >/dev/null
  verify_container:
    hintcheck: |
      if [ $(docker_container_count_total) -gt 0 ] && [ $(docker_container_count_running) -eq 0 ]; then
        echo "There is a container, but it is not running."
      fi
    run: |
      [ $(docker_container_count_running) -eq 1 ] || exit 1
      docker ps -q --no-trunc
  verify_container_id:
    needs: [verify_container]
    env:
      - CONTAINER_ID=x(.needs.verify_container.stdout)
    failcheck: |
      docker_container_is_running \${CONTAINER_ID}
    run: |
      GIVEN="$(cat /tmp/container-id.txt)"
      [ -n "$GIVEN" ] && [[ "\${CONTAINER_ID}" == "\${GIVEN}"* ]]
    destination: /tmp/container-id.txt
  verify_container_pid:
    needs: [verify_container]
    env:
      - CONTAINER_ID=x(.needs.verify_container.stdout)
    run: |
      [ "$(cat /tmp/container-pid.txt)" = "$(docker_container_pid \${CONTAINER_ID})" ]
    destination: /tmp/container-pid.txt
  verify_container_ip:
    needs: [verify_container]
    env:
      - CONTAINER_ID=x(.needs.verify_container.stdout)
    run: |
      [ "$(cat /tmp/container-ip.txt)" = "$(docker_container_ip \${CONTAINER_ID})" ]
    destination: /tmp/container-ip.txt
---

Start a container that keeps running (the image \`tiny:1\` is ready for you).

::simple-task
---
:tasks: tasks
:name: verify_container
---
#active
Waiting for one running container.
#completed
It runs.
::

::user-input-task
---
:tasks: tasks
:name: verify_container_id
---
#active
What is its ID?
::

::user-input-task
---
:tasks: tasks
:name: verify_container_pid
---
#active
What is the PID of its main process on the machine?
::

::user-input-task
---
:tasks: tasks
:name: verify_container_ip
---
#active
What is its IP address?
::
`;

describe('iximiuz Labs task helpers on a real Docker engine', () => {
  let engine: TestEngine | undefined;
  let noEngine = '';
  let agent: AgentHandle | undefined;
  let contentRoot: string;
  const created: string[] = [];

  beforeAll(async () => {
    try {
      engine = await startTestEngine();
    } catch (err) {
      noEngine = errorMessage(err);
      console.warn(`skipping the Docker helper tests: no Docker engine: ${noEngine}`);
      return;
    }
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-helpers-docker-images-'));
    await new DockerDriver({ stateHome, dockerHost: engine.dockerHost }).images.ensure('docker');
    fs.rmSync(stateHome, { recursive: true, force: true });
    agent = await startAgent({ home: tempHome('sandlot-helpers-docker-'), args: ['--driver', 'docker'], env: { DOCKER_HOST: engine.dockerHost } });
    contentRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-helpers-docker-content-'));
    fs.mkdirSync(path.join(contentRoot, 'inspect-a-container'));
    fs.writeFileSync(path.join(contentRoot, 'inspect-a-container', 'index.md'), CHALLENGE);
  }, 900_000);

  afterAll(async () => {
    if (agent) {
      for (const id of created) await agent.client.destroy(id).catch(() => {});
      await agent.kill();
      fs.rmSync(agent.home, { recursive: true, force: true });
    }
    if (engine) await removePlaygroundLeftovers(engine.docker, created);
    if (contentRoot) fs.rmSync(contentRoot, { recursive: true, force: true });
    await engine?.stop();
  }, 120_000);

  it('a challenge written like the iximiuz Labs sample completes all four tasks when solved by hand', async (ctx) => {
    if (!engine) return ctx.skip(`no Docker engine: ${noEngine}`);
    const a = agent!;
    const start = cli(a, ['content', 'start', path.join(contentRoot, 'inspect-a-container'), '--json']);
    expect(start.code, start.stderr).toBe(0);
    const pg = parseOwnJson<PlaygroundRecord>(start.stdout);
    created.push(pg.id);
    expect(pg.content?.state).toBe('ready');

    const ssh = await connectMachine(a.client, pg, 'dev', pg.machines[0].defaultUser);
    const run = async (cmd: string): Promise<ExecResult> => {
      const r = await execOn(ssh, `bash -lc '${cmd.replace(/'/g, `'\\''`)}'`);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
      return r;
    };
    try {
      await run('docker run -d --name web tiny:1');
      // The learner's own way to the answers: docker ps / inspect.
      const id = (await run('docker ps -q')).stdout.trim();
      const pid = (await run("docker inspect -f '{{.State.Pid}}' web")).stdout.trim();
      const ip = (await run("docker inspect -f '{{.NetworkSettings.IPAddress}}' web")).stdout.trim();
      expect(id).toMatch(/^[0-9a-f]{12}$/);
      expect(Number(pid)).toBeGreaterThan(1);
      expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

      const answer = (task: string, value: string) => cli(a, ['content', 'answer', pg.id, task, value]);
      // verify_container must pass first (the others need it); answers wait for it.
      for (let i = 0; i < 60 && (await a.client.tasks(pg.id)).verify_container.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 500));
      expect(answer('verify_container_pid', '1')).toMatchObject({ code: 1 }); // wrong
      expect(answer('verify_container_id', id)).toMatchObject({ code: 0, stdout: '✓ verify_container_id completed\n' });
      expect(answer('verify_container_pid', pid)).toMatchObject({ code: 0, stdout: '✓ verify_container_pid completed\n' });
      expect(answer('verify_container_ip', ip)).toMatchObject({ code: 0, stdout: '✓ verify_container_ip completed\n' });
      const tasks = await a.client.tasks(pg.id);
      expect(
        Object.fromEntries(['verify_container', 'verify_container_id', 'verify_container_pid', 'verify_container_ip'].map((t) => [t, tasks[t].status])),
      ).toEqual({
        verify_container: 'completed',
        verify_container_id: 'completed',
        verify_container_pid: 'completed',
        verify_container_ip: 'completed',
      });
      expect((await a.client.get(pg.id)).content?.state).toBe('completed');

      // Every docker_* helper, as a task runs it (the program the runner sends), against docker inspect.
      await run('docker run --name done tiny:1 sh -c "exit 3" || true');
      const helpers = await execOn(
        ssh,
        remoteCommand(
          buildProgram(
            `docker_container_name web; docker_container_pid web; docker_container_ip web; docker_container_image web; docker_container_image_id web
docker_container_exit_code done; docker_container_count_total; docker_container_count_running; docker_image_id tiny:1; docker_image_size_bytes tiny:1
docker_container_is_running web && echo web-running; docker_container_is_running done || echo done-stopped
docker_container_exists done && echo exists; docker_container_image_is web tiny:1 && echo image-is; docker_image_exists tiny:1 && echo image-exists`,
            {},
          ),
          60,
        ),
      );
      expect(helpers.code, helpers.stderr).toBe(0);
      const inspect = (
        await run("docker inspect -f '{{.Name}} {{.Config.Image}} {{.Image}}' web; docker image inspect -f '{{.Id}} {{.Size}}' tiny:1")
      ).stdout.split(/\s+/);
      expect(helpers.stdout.split('\n').filter(Boolean)).toEqual([
        '/web',
        pid,
        ip,
        'tiny:1',
        inspect[2],
        '3',
        '2',
        '1',
        inspect[3],
        inspect[4],
        'web-running',
        'done-stopped',
        'exists',
        'image-is',
        'image-exists',
      ]);
    } finally {
      ssh.end();
    }
  }, 600_000);
});
