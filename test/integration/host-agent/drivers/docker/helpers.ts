// Shared by the docker driver's integration tests: a real Docker engine (the one in
// SANDLOT_TEST_DOCKER_HOST, else our own dockerd with its state in a temp dir), playground
// specs made from manifests, and SSH sessions over the driver's connect() with the host
// key checked.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { Client } from 'ssh2';
import { generateEd25519 } from '../../../../../host-agent/keys/keys';
import { parseYaml, validateManifest } from '../../../../../host-agent/manifests/load';
import type { PlaygroundManifest } from '../../../../../host-agent/manifests/schema';
import { buildPlaygroundSpec } from '../../../../../host-agent/manifests/spec';
import type { Driver, DriverContext, PlaygroundSpec } from '../../../../../host-agent/drivers/protocol';
import { repoRoot } from '../../../../../host-agent/util/paths';
import { execOn, type ExecResult } from '../../../../helpers/ssh-exec';
import { errorMessage } from '../../../../../host-agent/util/errors';

export interface TestEngine {
  dockerHost: string;
  docker: Docker;
  stop(): Promise<void>;
}

async function answers(docker: Docker): Promise<boolean> {
  try {
    await Promise.race([docker.ping(), new Promise((_, r) => setTimeout(() => r(new Error('timeout')), 2000))]);
    return true;
  } catch {
    return false;
  }
}

/**
 * An engine for the tests. Our own dockerd keeps its data under a fixed temp dir so
 * images built by one run are reused by the next (their tags are content hashes).
 */
export async function startTestEngine(): Promise<TestEngine> {
  const given = process.env.SANDLOT_TEST_DOCKER_HOST;
  if (given) {
    const docker = new Docker({ socketPath: given.replace(/^unix:\/\//, '') });
    if (!(await answers(docker))) throw new Error(`SANDLOT_TEST_DOCKER_HOST=${given}: no Docker engine answers there`);
    return { dockerHost: given, docker, stop: async () => {} };
  }
  const dir = path.join(os.tmpdir(), 'sandlot-test-dockerd');
  const socket = path.join(dir, 'docker.sock');
  const docker = new Docker({ socketPath: socket });
  if (await answers(docker)) return { dockerHost: `unix://${socket}`, docker, stop: async () => {} };
  const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => fs.existsSync(p));
  if (!dockerd) throw new Error("the docker driver tests need dockerd: run scripts/setup.sh (it installs Debian's docker.io)");
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'docker.pid'), { force: true });
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  // --bridge=none: no docker0, so this engine cannot clash with another one on the host;
  // playgrounds make their own networks.
  const child: ChildProcess = spawn(
    dockerd,
    [
      `--data-root=${dir}/data`,
      `--exec-root=${dir}/exec`,
      `--pidfile=${dir}/docker.pid`,
      `--host=unix://${socket}`,
      '--storage-driver=overlay2',
      '--bridge=none',
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  fs.closeSync(log);
  const deadline = Date.now() + 30_000;
  while (!(await answers(docker))) {
    if (child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode}; see ${dir}/dockerd.log`);
    if (Date.now() > deadline) throw new Error(`dockerd did not answer in 30 s; see ${dir}/dockerd.log`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    dockerHost: `unix://${socket}`,
    docker,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    },
  };
}

export function loadTemplate(name: string): PlaygroundManifest {
  const file = path.join(repoRoot(), 'host-agent', 'templates', `${name}.yaml`);
  return validateManifest(parseYaml(fs.readFileSync(file, 'utf8'), file), file);
}

export function manifestFrom(yaml: string): PlaygroundManifest {
  return validateManifest(parseYaml(yaml, 'test.yaml'), 'test.yaml');
}

// The agent's own key maker (ssh2's generator writes about 1 key in 200 that OpenSSH
// rejects, which made sshd exit at random).
const keyPair = generateEd25519;

export interface TestPlayground {
  spec: PlaygroundSpec;
  userKey: { privateKey: string; publicKey: string };
}

let counter = 0;

/** A PlaygroundSpec the way the agent makes one (the agent's own builder): keys, users, resources, networks, drives. */
export function makePlayground(manifest: PlaygroundManifest, root: string): TestPlayground {
  const id = `pg-t${process.pid.toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`.slice(0, 16);
  const userKey = keyPair(`sandlot-${id}`);
  const hostKeys = Object.fromEntries(manifest.playground.machines.map((m) => [m.name, keyPair(`${m.name}-host`)]));
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  return { spec: buildPlaygroundSpec(manifest, { id, dir, userKey, hostKeys }), userKey };
}

export function recordingContext(): DriverContext & { steps: string[] } {
  const steps: string[] = [];
  return {
    steps,
    progress: (step, status, machine, message) => steps.push(`${step}${machine ? `[${machine}]` : ''} ${status}${message ? `: ${message}` : ''}`),
    log: (level, message, machine) => steps.push(`log ${level}${machine ? `[${machine}]` : ''}: ${message}`),
  };
}

export type { ExecResult };

/** Runs a command over SSH through driver.connect(); the machine's host key must match the spec. */
export async function sshExec(driver: Driver, pg: TestPlayground, machine: string, user: string, command: string, timeoutMs = 60_000): Promise<ExecResult> {
  const m = pg.spec.machines.find((x) => x.name === machine)!;
  const expectedHostKey = Buffer.from(m.hostKey.publicKey.split(/\s+/)[1], 'base64');
  const sock = await driver.connect(pg.spec, machine, 22);
  const client = new Client();
  let hostKeyMatched = false;
  await new Promise<void>((resolve, reject) => {
    client
      .on('ready', resolve)
      .on('error', reject)
      .connect({
        sock,
        username: user,
        privateKey: pg.userKey.privateKey,
        hostVerifier: (key: Buffer) => (hostKeyMatched = key.equals(expectedHostKey)),
        readyTimeout: 20_000,
      });
  });
  try {
    if (!hostKeyMatched) throw new Error('host key was not verified');
    return await execOn(client, command, { timeoutMs });
  } catch (err) {
    throw new Error(`ssh ${user}@${machine} "${command}": ${errorMessage(err)}`, { cause: err });
  } finally {
    client.end();
  }
}

const playgroundFilter = (id: string) => JSON.stringify({ label: [`sandlot.playground=${id}`] });

/** What the engine still holds for these playgrounds (`container …`, `network …`, `volume …`); others on the shared engine are not counted. */
export async function playgroundLeftovers(docker: Docker, ids: Iterable<string>): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const filters = playgroundFilter(id);
    for (const c of await docker.listContainers({ all: true, filters })) out.push(`container ${c.Names[0]}`);
    for (const n of await docker.listNetworks({ filters })) out.push(`network ${n.Name}`);
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) out.push(`volume ${v.Name}`);
  }
  return out;
}

/** Removes whatever the agent could not (a test failed midway): these playgrounds' containers, networks and volumes. */
export async function removePlaygroundLeftovers(docker: Docker, ids: Iterable<string>): Promise<void> {
  for (const id of ids) {
    const filters = playgroundFilter(id);
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true });
    for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove();
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove();
  }
}
