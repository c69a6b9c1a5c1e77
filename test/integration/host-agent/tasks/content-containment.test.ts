// Hostile content against a real agent, as root and as a normal user: files in a content
// folder that are symbolic links to host files the agent may read (/etc/shadow as root,
// the agent's own token as a normal user) are refused with one line naming the file, and
// nothing of the target shows in the API answer or the CLI. Oversized files are refused
// with file, size and cap. The content goes through `POST /v1/content` (what the
// extension and `sandlot content start` use) and `sandlot content check`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../../../../host-agent/api/client';
import { readOwnJson } from '../../../../host-agent/util/json';
import { CLI, REPO, cli, startAgent, tempHome, type AgentHandle } from '../../../helpers/agent-process';

const UID = 65534;

/** Writes a content folder; `links` are symbolic links (name → target) made after the files. */
function writeContent(root: string, name: string, files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = path.join(root, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  for (const [rel, target] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.symlinkSync(target, path.join(dir, rel));
  }
  return dir;
}

const scenario = (extra: object = {}) =>
  JSON.stringify({ title: 'Hostile', details: { steps: [{ text: 'step1.md', verify: 'verify.sh' }], ...extra }, backend: { imageid: 'ubuntu' } });

const challenge = (body = '') => `---\nkind: challenge\ntitle: Hostile\nplayground: { name: linux }\n---\n${body}`;

/** The hostile folders, each with the line the agent must answer with. */
function hostileSet(root: string, secretFile: string, secretDir: string): { dir: string; line: string }[] {
  return [
    {
      dir: writeContent(root, 'verify-link', { 'index.json': scenario(), 'step1.md': 'Do it.\n' }, { 'verify.sh': secretFile }),
      line: 'index.json: details.steps[0].verify: "verify.sh" is a symbolic link to something outside the scenario folder (refused)',
    },
    {
      dir: writeContent(
        root,
        'dir-link',
        { 'index.json': JSON.stringify({ title: 'H', details: { steps: [{ text: 'step1/text.md' }] }, backend: { imageid: 'ubuntu' } }) },
        { step1: secretDir },
      ),
      line: 'index.json: details.steps[0].text: "step1/text.md" passes through a symbolic link that leads outside the scenario folder (refused)',
    },
    {
      dir: writeContent(root, 'static-link', { 'index.md': challenge('![x](__static__/pic.png)\n') }, { '__static__/pic.png': secretFile }),
      line: 'index.md: line 6: image "__static__/pic.png" is a symbolic link to something outside the content folder (refused)',
    },
    {
      dir: writeContent(
        root,
        'asset-link',
        { 'index.json': scenario({ assets: { host01: [{ file: 'conf.yaml', target: '/root' }] } }), 'step1.md': 'x\n', 'verify.sh': 'true\n' },
        { 'assets/conf.yaml': secretFile },
      ),
      // Assets may come from the scenario repository (the folder holding the scenario), not beyond.
      line: `index.json: details.assets.host01[0].file: "assets/conf.yaml" is a symbolic link to something outside the scenario folder's repository (${path.basename(root)}) (refused)`,
    },
    {
      dir: writeContent(root, 'too-big', { 'index.md': challenge('word '.repeat(300_000)) }),
      line: 'index.md: "index.md" is 1.4 MiB, more than the 256 KiB a markdown or JSON file may have',
    },
  ];
}

async function expectRefused(client: AgentClient, dir: string, line: string, secret: string): Promise<void> {
  const err = await client.startContent({ source: dir }).then(
    async (pg) => {
      await client.destroy(pg.id); // a test that fails must not leave machines behind
      return new Error(`accepted ${dir}`);
    },
    (e: Error) => e,
  );
  expect(err.message).toContain(line);
  expect(err.message).not.toContain(secret);
  expect((await client.list()).length).toBe(0); // nothing was started
}

describe('hostile content, agent as root', () => {
  let agent: AgentHandle;
  let root: string;
  const secret = 'SANDLOT-TEST-SECRET-root';
  let secretFile: string;

  beforeAll(async () => {
    agent = await startAgent({ home: tempHome('sandlot-containment-') });
    root = tempHome('sandlot-containment-content-');
    // A root-only file outside the content (like /etc/shadow, but ours to delete).
    const secretDir = path.join(agent.home, 'private');
    fs.mkdirSync(secretDir, { mode: 0o700 });
    secretFile = path.join(secretDir, 'shadow');
    fs.writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(secretDir, 'text.md'), `${secret}\n`, { mode: 0o600 });
  });

  afterAll(async () => {
    await agent?.kill();
    for (const d of [agent?.home, root]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('refuses each link out of the folder and each oversized file with one line, through the API and the CLI', async () => {
    for (const { dir, line } of hostileSet(root, secretFile, path.dirname(secretFile))) {
      await expectRefused(agent.client, dir, line, secret);
      const r = cli(agent, ['content', 'check', dir]);
      expect(r.code, dir).toBe(1);
      expect(r.stderr).toContain(line.slice(line.indexOf(': ') + 2));
      expect(r.stderr + r.stdout).not.toContain(secret);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

// The checkout must be readable by the unprivileged user; the state directory goes below it
// (gitignored), outside /root, /home and /tmp.
const readable = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', 'test', '-r', CLI], {}).status === 0;

describe.skipIf(process.getuid?.() !== 0 || !readable)('hostile content, agent as a normal user', () => {
  let base: string;
  let child: ChildProcess | undefined;
  let client: AgentClient;
  let home: string;

  beforeAll(async () => {
    fs.mkdirSync(path.join(REPO, '.sandlot-test'), { recursive: true });
    base = fs.mkdtempSync(path.join(REPO, '.sandlot-test', 'containment-'));
    home = path.join(base, 'home');
    fs.mkdirSync(home);
    fs.chownSync(base, UID, UID);
    fs.chownSync(home, UID, UID);
    child = spawn('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', 'env', `SANDLOT_HOME=${home}`, process.execPath, CLI, 'agent'], {
      stdio: 'ignore',
    });
    let info: { url: string } | undefined;
    for (let i = 0; i < 400 && !info; i++) {
      try {
        info = readOwnJson<{ url: string }>(path.join(home, 'agent.json'));
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (!info) throw new Error('the unprivileged agent did not start');
    client = new AgentClient({ url: info.url, token: fs.readFileSync(path.join(home, 'token'), 'utf8').trim() });
  });

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  it("refuses links to the agent's own files (its token) with the same lines", async () => {
    const token = fs.readFileSync(path.join(home, 'token'), 'utf8').trim();
    // The author owns the content folder: the agent's user here.
    const content = path.join(base, 'content');
    fs.mkdirSync(content);
    const cases = hostileSet(content, path.join(home, 'token'), home);
    spawnSync('chown', ['-R', '-h', `${UID}:${UID}`, content]);
    for (const { dir, line } of cases) await expectRefused(client, dir, line, token);
  });
});
