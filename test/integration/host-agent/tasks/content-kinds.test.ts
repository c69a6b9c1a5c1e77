// Skill paths, courses and the Killercoda shapes through a real agent and the real CLI, on
// the sandbox driver: `sandlot content list` finds them in $SANDLOT_HOME/content, `show`
// prints a skill path's units and a course's lessons, a course lesson is started by its
// folder and completed over SSH, a skill path itself is refused with what to do instead,
// and Killercoda scenarios with only an intro, with no details and with a shared assets
// folder start (their uploaded assets in place). Fixtures written here from the formats'
// descriptions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { connectMachine } from '../../../../host-agent/ssh/connect';
import { parseOwnJson } from '../../../../host-agent/util/json';
import { validateManifest } from '../../../../host-agent/manifests/load';
import { parse as parseYaml } from 'yaml';
import { cli, startAgent, tempHome, type AgentHandle } from '../../../helpers/agent-process';
import { execOn } from '../../../helpers/ssh-exec';

const fm = (head: string, body = '') => `---\n${head.trim()}\n---\n${body}`;

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

const TASK = (name: string) => `::simple-task\n---\n:tasks: tasks\n:name: ${name}\n---\n#active\nNot yet.\n#completed\nDone.\n::\n`;

describe('skill paths, courses and Killercoda shapes through the agent and the CLI', () => {
  let agent: AgentHandle;
  let content: string;
  const created: string[] = [];

  beforeAll(async () => {
    agent = await startAgent({ home: tempHome('sandlot-content-kinds-') });
    content = path.join(agent.home, 'content');
    write(content, {
      // A skill path over a challenge of the catalog, a built-in and one that is not there.
      'shell-path/index.md': fm('kind: skill-path\ntitle: The shell, step by step', 'Three stops.\n'),
      'shell-path/unit-10.md': fm('kind: unit\ntitle: Make a file\nchallenges:\n  make_a_file: {}'),
      'shell-path/unit-20.md': fm('kind: unit\ntitle: Linux basics\nchallenges:\n  linux-basics: {}'),
      'shell-path/unit-30.md': fm('kind: unit\ntitle: Elsewhere\ntutorials:\n  only-on-iximiuz: {}'),
      'make-a-file/index.md': fm(
        'kind: challenge\ntitle: Make a file\nplayground: { name: linux }\ntasks:\n  verify_file: { run: test -f /root/made }',
        TASK('verify_file'),
      ),
      // Front matter playground: with manifest fields (tabs, registryAuth, a machine tweak).
      'with-tabs/index.md': fm(`kind: tutorial
title: With tabs
playground:
  name: linux
  machines:
    - name: dev
      users:
        - name: root
          default: true
  tabs:
    - machine: dev
    - kind: http-port
      name: App
      number: 8080
      machine: dev
  registryAuth: learner:secret`),
      // A course with one module and two lessons, one of them runnable.
      'shell-course/index.md': fm('kind: course\ntitle: A small shell course', 'Welcome.\n'),
      'shell-course/010.start/0.index.md': fm('kind: module\ntitle: Getting started'),
      'shell-course/010.start/10.notes/000.index.md': fm(
        'kind: lesson\ntitle: Notes\nplayground: { name: linux }\ntasks:\n  verify_notes: { run: grep -q hello /root/notes.txt }',
      ),
      'shell-course/010.start/10.notes/unit-010.md': fm('kind: unit\ntitle: Write a note', `Write hello into /root/notes.txt.\n\n${TASK('verify_notes')}`),
      'shell-course/010.start/10.notes/unit-020.md': fm('kind: unit\ntitle: Read it', 'cat it.\n'),
      'shell-course/010.start/20.why/unit-010.md': fm('kind: unit\ntitle: Why notes', 'Because.\n'),
      // Killercoda: intro only; no details; steps with images from the repository's shared assets and uploaded assets.
      'kc/intro-only/index.json': JSON.stringify({
        title: 'Only an intro',
        details: { intro: { text: 'intro.md', background: 'setup.sh' } },
        backend: { imageid: 'ubuntu' },
      }),
      'kc/intro-only/intro.md': 'Have a look around.\n',
      'kc/intro-only/setup.sh': 'echo prepared > /root/prepared\n',
      'kc/bare/index.json': JSON.stringify({ title: 'Just a machine', description: 'An Ubuntu to try things on.', backend: { imageid: 'ubuntu' } }),
      'kc/shared/index.json': JSON.stringify({
        title: 'Shared assets',
        details: {
          steps: [{ title: 'Look', text: 'step1/text.md', verify: 'step1/verify.sh' }],
          assets: { host01: [{ file: 'tool.sh', target: '/root/bin', chmod: '+x' }] },
        },
        backend: { imageid: 'ubuntu' },
      }),
      'kc/shared/step1/text.md': '![logo](../../assets/logo.png)\n\nRun `/root/bin/tool.sh`{{exec}}.\n',
      'kc/shared/step1/verify.sh': 'test -f /root/tool-ran\n',
      'kc/shared/assets/tool.sh': '#!/bin/sh\ntouch /root/tool-ran\n',
      'kc/assets/logo.png': 'png',
    });
  });

  afterAll(async () => {
    for (const id of created) await agent.client.destroy(id).catch(() => {});
    await agent?.kill();
    if (agent) fs.rmSync(agent.home, { recursive: true, force: true });
  });

  const start = (target: string): PlaygroundRecord => {
    const r = cli(agent, ['content', 'start', target, '--json']);
    if (r.code !== 0) throw new Error(`content start ${target}: exit ${r.code}: ${r.stderr}`);
    const pg = parseOwnJson<PlaygroundRecord>(r.stdout);
    created.push(pg.id);
    return pg;
  };
  const sh = async (pg: PlaygroundRecord, command: string) => {
    const ssh = await connectMachine(agent.client, pg, 'dev', 'root');
    try {
      return await execOn(ssh, command);
    } finally {
      ssh.end();
    }
  };
  const until = async (id: string, task: string, status: string) => {
    for (let i = 0; i < 60; i++) {
      if ((await agent.client.tasks(id))[task]?.status === status) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${task} did not become ${status}`);
  };

  it('lists every kind in $SANDLOT_HOME/content and the built-ins', async () => {
    const r = cli(agent, ['content', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseOwnJson<{ name: string; kind: string }[]>(r.stdout);
    expect(Object.fromEntries(rows.map((x) => [x.name, x.kind]))).toMatchObject({
      'linux-basics': 'challenge',
      'shell-path': 'skill-path',
      'make-a-file': 'challenge',
      'shell-course': 'course',
    });
    // The API lists the same catalog.
    expect((await agent.client.builtinContent()).map((c) => c.name)).toEqual(expect.arrayContaining(['shell-path', 'shell-course', 'linux-basics']));
  });

  it('shows a skill path with its units in order and lists the missing one', () => {
    const r = cli(agent, ['content', 'show', 'shell-path']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 7)).toEqual([
      'The shell, step by step (skill path, 3 units)',
      '  1. Make a file [unit-10.md]',
      `       challenge make_a_file: "Make a file" — sandlot content start ${path.join(content, 'make-a-file')}`,
      '  2. Linux basics [unit-20.md]',
      expect.stringMatching(/^ {7}challenge linux-basics: "Linux Basics: Files, Logs and Counting" — sandlot content start .*builtin-content\/linux-basics$/),
      '  3. Elsewhere [unit-30.md]',
      '       tutorial only-on-iximiuz: missing (not in the local catalog)',
    ]);
    expect(r.stderr).toMatch(/unit-30\.md: tutorials\.only-on-iximiuz: tutorial "only-on-iximiuz" is not in the local content catalog \(looked in /);
  });

  it('refuses to start a skill path with what to do instead', async () => {
    await expect(agent.client.startContent({ source: path.join(content, 'shell-path') })).rejects.toThrow(
      'a skill path has no playground of its own: start one of its units (sandlot content show lists them)',
    );
  });

  it('shows a course and starts one of its lessons by its folder; the lesson completes over SSH', async () => {
    const show = cli(agent, ['content', 'show', path.join(content, 'shell-course')]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toBe(
      [
        'A small shell course (course, 1 module, 2 lessons)',
        '  Getting started [010.start]',
        `    Notes (2 pages, 1 task) — sandlot content start ${path.join(content, 'shell-course', '010.start', '10.notes')}`,
        '    Why (1 page) — read only',
        '',
      ].join('\n'),
    );
    const pg = start(path.join(content, 'shell-course', '010.start', '10.notes'));
    expect(pg.content).toMatchObject({ kind: 'lesson', title: 'Notes', state: 'ready' });
    const doc = await agent.client.content(pg.id);
    expect(doc.pages.map((p) => p.title)).toEqual(['Write a note', 'Read it']);
    expect((await sh(pg, 'echo hello > /root/notes.txt')).code).toBe(0);
    await until(pg.id, 'verify_notes', 'completed');
    expect((await agent.client.get(pg.id)).content?.state).toBe('completed');
  });

  it('starts content whose playground: uses manifest fields, and the playground has them', () => {
    const pg = start(path.join(content, 'with-tabs'));
    expect(pg.machines[0].defaultUser).toBe('root');
    // The manifest the agent made the playground from (what `sandlot manifest <playground>` will print).
    const manifest = fs.readFileSync(path.join(agent.home, 'playgrounds', pg.id, 'manifest.yaml'), 'utf8');
    const m = validateManifest(parseYaml(manifest), 'manifest.yaml');
    // Tabs come back normalised (kind and id filled in), the author's fields intact.
    expect(m.playground.tabs).toMatchObject([
      { kind: 'terminal', machine: 'dev' },
      { kind: 'http-port', name: 'App', number: 8080, machine: 'dev' },
    ]);
    expect(m.playground.registryAuth).toBe('learner:secret');
  });

  it('starts the three Killercoda shapes: intro only, no details, shared assets with uploads', async () => {
    const intro = start(path.join(content, 'kc', 'intro-only'));
    expect(intro.tasks?.intro_background.status).toBe('completed');
    expect((await sh(intro, 'cat /root/prepared')).stdout).toBe('prepared\n');

    const bare = start(path.join(content, 'kc', 'bare'));
    expect(bare.content).toMatchObject({ kind: 'scenario', title: 'Just a machine', state: 'ready' });
    expect((await agent.client.content(bare.id)).pages).toEqual([
      { title: 'Just a machine', blocks: [{ type: 'paragraph', children: [{ type: 'text', value: 'An Ubuntu to try things on.' }] }] },
    ]);

    const shared = start(path.join(content, 'kc', 'shared'));
    const doc = await agent.client.content(shared.id);
    expect(doc.assets).toEqual(['../assets/logo.png', 'assets/tool.sh']);
    // The sandbox driver's machines see the host's /usr read-only, so the upload goes to /root/bin.
    expect((await sh(shared, 'ls -l /root/bin/tool.sh')).stdout).toMatch(/^-rwx/);
    expect((await sh(shared, '/root/bin/tool.sh')).code).toBe(0);
    await until(shared.id, 'step1_verify', 'completed');
  });
});
