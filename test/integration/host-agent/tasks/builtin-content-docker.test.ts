// The built-in Docker challenge and Zig tutorial, end to end on real docker-driver
// playgrounds: `sandlot content start` through a real agent, the task states followed with
// `sandlot tasks --watch --json`, and the learner's actions run over SSH as the machine's
// default user — the commands and source code taken from the content's own code blocks,
// so a tutorial whose instructions do not work fails here. Wrong actions come first and
// must keep the step pending and show the content's hint.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord, TaskRecord } from '../../../../host-agent/api/protocol';
import { errorMessage } from '../../../../host-agent/util/errors';
import { parseOwnJson } from '../../../../host-agent/util/json';
import { TemplateCatalog, templateDirs } from '../../../../host-agent/playgrounds/catalog';
import { loadContent } from '../../../../host-agent/content/load';
import type { Block, CodeBlock } from '../../../../host-agent/content/model';
import { DockerDriver } from '../../../../host-agent/drivers/docker/driver';
import { connectMachine } from '../../../../host-agent/ssh/connect';
import { CLI, cli, startAgent, tempHome, type AgentHandle } from '../../../helpers/agent-process';
import { execOn, type ExecResult } from '../../../helpers/ssh-exec';
import { removePlaygroundLeftovers, startTestEngine, type TestEngine } from '../drivers/docker/helpers';

/** Every code block of the content, in document order (task slots and boxes included). */
function codeBlocks(name: string): CodeBlock[] {
  const out: CodeBlock[] = [];
  const walk = (blocks: Block[]) => {
    for (const b of blocks) {
      if (b.type === 'code') out.push(b);
      else if (b.type === 'task') Object.values(b.slots).forEach(walk);
      else if (b.type === 'box' || b.type === 'blockquote' || b.type === 'component') walk(b.children);
      else if (b.type === 'list') b.items.forEach((i) => walk(i.children));
    }
  };
  loadContent(name, new TemplateCatalog(templateDirs())).pages.forEach((p) => walk(p.blocks));
  return out;
}

function block(blocks: CodeBlock[], lang: string, includes: string): string {
  const hit = blocks.find((b) => b.lang === lang && b.value.includes(includes));
  if (!hit) throw new Error(`the content has no ${lang} code block with "${includes}"`);
  return hit.value;
}

/** Runs a script in the machine over SSH (through the agent's tunnel) as `user`, bash -l like a terminal. */
async function sshRun(agent: AgentHandle, record: PlaygroundRecord, user: string, script: string, stdin?: string): Promise<ExecResult> {
  const ssh = await connectMachine(agent.client, record, 'dev', user);
  try {
    return await execOn(ssh, stdin === undefined ? `bash -lc ${shellQuote(script)}` : script, stdin === undefined ? {} : { stdin });
  } finally {
    ssh.end();
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `sandlot tasks <id> --watch --json`: one task record per line, collected with arrival times. */
function watchTasks(agent: AgentHandle, id: string) {
  const records: { at: number; t: TaskRecord }[] = [];
  const waiters = new Set<() => void>();
  const child: ChildProcess = spawn(process.execPath, [CLI, 'tasks', id, '--watch', '--json'], { env: agent.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) records.push({ at: Date.now(), t: parseOwnJson<TaskRecord>(line) });
    }
    waiters.forEach((w) => w());
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  /** Waits for a record of `name` (arriving after `since`) that matches. */
  const until = (name: string, match: (t: TaskRecord) => boolean, since: number, ms = 60_000) =>
    new Promise<TaskRecord>((resolve, reject) => {
      const check = () => {
        const hit = records.find((r) => r.at >= since && r.t.name === name && match(r.t));
        if (hit) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit.t);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        const seen = records.filter((r) => r.t.name === name).map((r) => `${r.t.status}/${r.t.exitCode}${r.t.hint ? `/hint="${r.t.hint}"` : ''}`);
        reject(new Error(`${name}: no matching record in ${ms} ms; seen: ${seen.join(', ') || 'none'}; watch stderr: ${stderr}`));
      }, ms);
      waiters.add(check);
      check();
    });
  return { records, until, exited, stderr: () => stderr, stop: () => child.kill() };
}

const hintIs = (text: string) => (t: TaskRecord) => t.hint?.trim() === text;
const completed = (t: TaskRecord) => t.status === 'completed';
// Checked at least once, and not passing (grep on a missing file exits 2, not 1).
const pending = (t: TaskRecord) => t.status === 'running' && typeof t.exitCode === 'number' && t.exitCode !== 0;

function startContent(agent: AgentHandle, name: string): PlaygroundRecord {
  const r = cli(agent, ['content', 'start', name, '--json']);
  if (r.code !== 0) throw new Error(`sandlot content start ${name}: exit ${r.code}: ${r.stderr}${r.stdout}`);
  return parseOwnJson<PlaygroundRecord>(r.stdout);
}

describe('built-in Docker and Zig content on the docker driver', () => {
  let engine: TestEngine | undefined;
  // Set when no Docker engine can be had here (no dockerd, or it cannot start): the tests
  // skip with this reason. Any other problem is a failure. (The engine is found or started
  // asynchronously, so this cannot be a describe.skipIf in a CommonJS test file.)
  let noEngine = '';
  let agent: AgentHandle | undefined;
  const created: string[] = [];
  const needEngine = (ctx: { skip: (note?: string) => void }) => {
    if (!engine) ctx.skip(`no Docker engine: ${noEngine}`);
  };

  beforeAll(async () => {
    try {
      engine = await startTestEngine();
    } catch (err) {
      noEngine = errorMessage(err);
      console.warn(`skipping the built-in Docker/Zig content tests: no Docker engine: ${noEngine}`);
      return;
    }
    // Build (or find, by content hash) the images first so the starts below stay quick.
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-content-docker-images-'));
    const driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    for (const image of ['docker', 'zig', 'registry']) await driver.images.ensure(image);
    fs.rmSync(stateHome, { recursive: true, force: true });
    agent = await startAgent({ home: tempHome('sandlot-content-docker-'), args: ['--driver', 'docker'], env: { DOCKER_HOST: engine.dockerHost } });
  }, 900_000);

  afterAll(async () => {
    if (agent) {
      for (const id of created) await agent.client.destroy(id).catch(() => {});
      await agent.kill();
      fs.rmSync(agent.home, { recursive: true, force: true });
    }
    // Whatever the agent could not remove (a test failed midway) goes too.
    if (engine) await removePlaygroundLeftovers(engine.docker, created);
    await engine?.stop();
  }, 120_000);

  it('docker-first-container: build, run, publish, count — with the hints for the usual mistakes', async (ctx) => {
    needEngine(ctx);
    const a = agent!;
    const solution = block(codeBlocks('docker-first-container'), 'sh', 'docker run');
    const t0 = Date.now();
    const pg = startContent(a, 'docker-first-container');
    created.push(pg.id);
    expect(pg.driver).toBe('docker');
    expect(pg.content).toMatchObject({ name: 'docker-first-container', kind: 'challenge', state: 'ready' });
    for (const init of ['init_wait_dockerd', 'init_app', 'init_clean_slate']) expect(pg.tasks?.[init]?.status, init).toBe('completed');
    const w = watchTasks(a, pg.id);
    try {
      await w.until('verify_image', pending, 0);
      const first = await a.client.tasks(pg.id);
      expect([first.verify_container.status, first.verify_port.status]).toEqual(['blocked', 'blocked']);
      const user = pg.machines[0].defaultUser;
      expect(user).toBe('laborant');

      // The files the text promises are where the learner (laborant) can use them.
      expect((await sshRun(a, pg, user, 'cd ~/app && ls')).stdout.split('\n').filter(Boolean).sort()).toEqual(['Dockerfile', 'busybox', 'index.html']);

      // Wrong tag: still pending, and the hint says why.
      let since = Date.now();
      expect((await sshRun(a, pg, user, 'cd ~/app && docker build -q -t hello:v2 .')).code).toBe(0);
      const tagHint = await w.until('verify_image', hintIs('There is a hello image, but not with the tag v1.'), since);
      expect(tagHint.status).toBe('running');

      since = Date.now();
      expect((await sshRun(a, pg, user, 'cd ~/app && docker tag hello:v2 hello:v1')).code).toBe(0);
      await w.until('verify_image', completed, since, 15_000);
      await w.until('verify_container', pending, since);

      // A container that is created but not started.
      since = Date.now();
      expect((await sshRun(a, pg, user, 'docker create --name web hello:v1')).code).toBe(0);
      const stopped = await w.until(
        'verify_container',
        hintIs('Container web exists but is not running. Did you forget -d, or did it exit? Try: docker logs web'),
        since,
      );
      expect(stopped.status).toBe('running');

      // Running, but without -p: the container step passes, the port step hints.
      since = Date.now();
      expect((await sshRun(a, pg, user, 'docker rm -f web && docker run -d --name web hello:v1')).code).toBe(0);
      await w.until('verify_container', completed, since, 15_000);
      const unpublished = await w.until('verify_port', hintIs('web runs, but port 8080 is not published. Recreate it with -p 8080:8080.'), since);
      expect(unpublished.status).toBe('running');

      // The content's own solution, as written (after removing the wrong container).
      since = Date.now();
      const solved = await sshRun(a, pg, user, `docker rm -f web >/dev/null\n${solution}`);
      expect(solved.code, solved.stderr).toBe(0);
      expect(solved.stdout).toContain('Hello from a Sandlot container');
      await w.until('verify_port', completed, since, 15_000);
      expect((await sshRun(a, pg, user, 'curl -fsS http://127.0.0.1:8080/')).stdout).toBe('<h1>Hello from a Sandlot container</h1>\n');

      // The question: a wrong count is refused, the real one accepted.
      const wrong = cli(a, ['content', 'answer', pg.id, 'verify_count_answer', '7']);
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toMatch(/verify_count_answer (created|running) \(exit 1\)/);
      const running = (await sshRun(a, pg, user, 'docker ps -q | wc -l')).stdout.trim();
      expect(running).toBe('1');
      expect(cli(a, ['content', 'answer', pg.id, 'verify_count_answer', running])).toMatchObject({ code: 0, stdout: '✓ verify_count_answer completed\n' });

      // Completed content ends the watch with exit 0.
      expect(await w.exited).toBe(0);
      const final = await a.client.get(pg.id);
      expect(final.content?.state).toBe('completed');
      expect(Object.fromEntries(Object.values(final.tasks ?? {}).map((t) => [t.name, t.status]))).toEqual({
        init_wait_dockerd: 'completed',
        init_app: 'completed',
        init_clean_slate: 'completed',
        verify_image: 'completed',
        verify_container: 'completed',
        verify_port: 'completed',
        verify_count_answer: 'completed',
      });
      console.log(`docker-first-container: start to completed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      w.stop();
    }
  }, 300_000);

  it('zig-build-and-run: write, zig run, build-exe, zig build, version — with the hints for the usual mistakes', async (ctx) => {
    needEngine(ctx);
    const a = agent!;
    const blocks = codeBlocks('zig-build-and-run');
    const source = block(blocks, 'zig', 'pub fn main');
    const runIt = block(blocks, 'sh', 'zig run');
    const buildExe = block(blocks, 'sh', 'zig build-exe');
    const project = block(blocks, 'sh', 'zig init-exe');
    const t0 = Date.now();
    const pg = startContent(a, 'zig-build-and-run');
    created.push(pg.id);
    expect(pg.driver).toBe('docker');
    expect(pg.content).toMatchObject({ name: 'zig-build-and-run', kind: 'tutorial', state: 'ready' });
    expect(pg.tasks?.init_toolchain).toMatchObject({ status: 'completed', stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown });
    expect(pg.tasks?.init_workdir?.status).toBe('completed');
    const w = watchTasks(a, pg.id);
    try {
      await w.until('verify_source', pending, 0);
      const first = await a.client.tasks(pg.id);
      expect([first.verify_binary.status, first.verify_project.status]).toEqual(['blocked', 'blocked']);
      const user = pg.machines[0].defaultUser;
      expect(user).toBe('laborant');
      const file = '/home/laborant/hello/hello.zig';

      // A program with the wrong greeting: the source step passes, the binary step hints
      // first that there is no binary, then that it prints the wrong thing.
      let since = Date.now();
      const wrongSource = source.replace('Hello, Sandlot!', 'Hello, world!');
      expect(wrongSource).not.toBe(source);
      expect((await sshRun(a, pg, user, `cat > ${file}`, wrongSource)).code).toBe(0);
      await w.until('verify_source', completed, since, 15_000);
      await w.until('verify_binary', hintIs('No binary yet: run zig build-exe hello.zig inside /home/laborant/hello.'), since);
      since = Date.now();
      const wrongBuild = await sshRun(a, pg, user, buildExe);
      expect(wrongBuild.code, wrongBuild.stderr).toBe(0);
      expect(wrongBuild.stdout).toContain('Hello, world!');
      const wrongHint = await w.until('verify_binary', hintIs('The binary runs, but does not print Hello, Sandlot! to stdout. Rebuild after editing.'), since);
      expect(wrongHint.status).toBe('running');

      // The content's program, run from source, then built.
      expect((await sshRun(a, pg, user, `cat > ${file}`, source)).code).toBe(0);
      const ran = await sshRun(a, pg, user, runIt);
      expect(ran).toMatchObject({ code: 0, stdout: 'Hello, Sandlot!\n' });
      since = Date.now();
      const built = await sshRun(a, pg, user, buildExe);
      expect(built.code, built.stderr).toBe(0);
      expect(built.stdout).toBe('Hello, Sandlot!\n');
      await w.until('verify_binary', completed, since, 20_000);
      await w.until('verify_project', pending, since);

      // Half the project step (init, no build): the hint says what is missing.
      const lines = project.trim().split('\n');
      const initEnd = lines.findIndex((l) => l.includes('zig init-exe')) + 1;
      since = Date.now();
      const inited = await sshRun(a, pg, user, `set -e\n${lines.slice(0, initEnd).join('\n')}`);
      expect(inited.code, inited.stderr).toBe(0);
      const projectHint = await w.until('verify_project', hintIs('build.zig is there; now run zig build in /home/laborant/greeter.'), since);
      expect(projectHint.status).toBe('running');
      since = Date.now();
      const rest = await sshRun(a, pg, user, `set -e\ncd /home/laborant/greeter\n${lines.slice(initEnd).join('\n')}`);
      expect(rest.code, rest.stderr).toBe(0);
      // The starter program prints with std.debug.print, to stderr.
      expect(rest.stderr).toContain('All your codebase are belong to us.');
      await w.until('verify_project', completed, since, 20_000);

      // Which version: a wrong answer is refused, `zig version` in the machine is accepted.
      const wrong = cli(a, ['content', 'answer', pg.id, 'verify_version_answer', '0.0.1']);
      expect(wrong.code).toBe(1);
      const version = (await sshRun(a, pg, user, 'zig version')).stdout.trim();
      expect(version).toBe(pg.tasks?.init_toolchain.stdout?.trim());
      expect(cli(a, ['content', 'answer', pg.id, 'verify_version_answer', version])).toMatchObject({ code: 0, stdout: '✓ verify_version_answer completed\n' });

      expect(await w.exited).toBe(0);
      const final = await a.client.get(pg.id);
      expect(final.content?.state).toBe('completed');
      expect(Object.values(final.tasks ?? {}).filter((t) => t.status !== 'completed')).toEqual([]);
      console.log(`zig-build-and-run: start to completed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      w.stop();
    }
  }, 300_000);
});
