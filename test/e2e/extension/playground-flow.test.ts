// The whole user path in a real VS Code (code-server + Chromium, every version the suite runs on) against a real
// agent with the sandbox driver: start a playground from the palette, see it in the
// tree, run `hostname` in a terminal, hand it to OpenSSH through the ~/.ssh/config
// block, open the sandlot:// folder, save a file and find it in the machine over SSH,
// change a file in the machine and watch the editor follow, destroy from the tree.
// Screenshots of every step land in test-results/e2e/playground-flow/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { hostAlias, type PlaygroundRecord } from '../../../host-agent/api/protocol';
import { startAgent } from '../../helpers/agent-process';
import { sshRun } from '../harness/machine';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import type { Workbench } from '../harness/workbench';

const LONG = 90_000;

describe('playground flow in code-server', () => {
  const artifacts = artifactsDir('playground-flow');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let pg: PlaygroundRecord;
  const agent = () => session!.agent;
  const step = journey((name) => wb.screenshot(name));

  beforeAll(async () => {
    // No folder: "Open Folder" then turns this window into the machine's.
    // The layout a start opens by itself is playground-layout.test.ts's; here each command opens its own editor.
    session = await E2eSession.start({ name: 'flow', artifacts, settings: { 'files.autoSave': 'off', 'sandlot.openLayoutOnStart': false } });
    wb = session.wb;
  });

  afterAll(async () => {
    await session?.close();
  });

  step('starts a linux playground from the palette', async () => {
    await wb.runCommand('Sandlot: Start Playground…');
    // Description is "<template> · <machines>": this one is the single-machine template.
    await wb.pick('linux · dev');
    await wb.waitNotification(/is ready/, LONG);
    await wb.screenshot('started');
    const list = await agent().client.list();
    expect(list).toHaveLength(1);
    pg = list[0]!;
    expect(pg.template).toBe('linux');
    expect(pg.state).toBe('running');
  });

  step('shows the playground and its machine in the tree', async () => {
    await wb.showViewContainer('Sandlot');
    await wb.sideBarRow(pg.id).waitFor({ state: 'visible', timeout: LONG });
    await wb.sideBarRow(/^dev/).waitFor({ state: 'visible' });
    await wb.screenshot('tree');
    expect(await wb.sideBarRow(pg.id).innerText()).toMatch(/running/);
  });

  step('opens a terminal in the machine and runs hostname', async () => {
    await wb.runCommand('Sandlot: Open Terminal');
    await wb.terminal(LONG);
    // The prompt shows once the SSH shell is up.
    await waitFor('the shell prompt', LONG, async () => /[#$] *$/m.test(await wb.terminalText()));
    await wb.typeInTerminal('hostname');
    const text = await waitFor('hostname output in the terminal', LONG, async () => {
      const t = await wb.terminalText();
      return t.split('\n').some((l) => l.trim() === 'dev') ? t : undefined;
    });
    await wb.screenshot('terminal-hostname');
    expect(text).toMatch(/^dev\s*$/m);
  });

  step("closes the terminal with the shell's exit code", async () => {
    await wb.typeInTerminal('exit 3');
    await waitFor('the terminal to close', LONG, async () => (await wb.page.locator('.terminal-wrapper').count()) === 0);
    // VS Code reports a non-zero status it got from the Pseudoterminal.
    await wb.waitNotification(/terminated with exit code: 3\b/, LONG);
    await wb.screenshot('terminal-exit');
  });

  step('writes ~/.ssh/config so that OpenSSH connects with strict host key checking', async () => {
    await wb.runCommand('Sandlot: Connect with Remote-SSH');
    // No Remote-SSH extension in code-server: the extension offers its own workspace.
    await wb.waitNotification(/No Remote-SSH extension is installed/, LONG);
    await wb.screenshot('remote-ssh-offer');
    const config = path.join(session!.server.home, '.ssh', 'config');
    const alias = hostAlias(pg.id, 'dev');
    expect(fs.readFileSync(config, 'utf8')).toContain(`Host ${alias}`);
    const r = spawnSync('ssh', ['-F', config, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', alias, 'hostname'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HOME: session!.server.home },
    });
    expect(r.stderr).not.toMatch(/Host key verification failed/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('dev');
    await wb
      .notification(/No Remote-SSH extension/)
      .locator('.codicon-notifications-clear')
      .click()
      .catch(() => undefined);
  });

  step('opens the machine as a sandlot:// folder', async () => {
    await wb.runCommand('Sandlot: Open Folder');
    // openFolder reloads the window into sandlot://<pg>.dev/root.
    await waitFor('the window to open the machine folder', LONG, () => decodeURIComponent(wb.page.url()).includes(`sandlot://${pg.id}.dev`));
    await wb.waitReady();
    await wb.showViewContainer('Explorer');
    await wb.sideBarRow('README.txt').waitFor({ state: 'visible', timeout: LONG });
    // The window's playground is in the status bar with its time left.
    const status = wb.page.locator('.part.statusbar .statusbar-item', { hasText: pg.id }).first();
    await status.waitFor({ state: 'visible', timeout: LONG });
    expect(await status.innerText()).toMatch(/\d+h \d{2}m left|\d+m left/);
    await wb.screenshot('folder');
  });

  step('creates and saves a file that then exists inside the machine', async () => {
    // The explorer's own "New File..." action: an inline name box, then the editor.
    // The folder is the machine's home, /root: its pane is titled "root".
    await wb.page
      .locator('.part.sidebar .pane-header', { hasText: /^root$/i })
      .first()
      .hover();
    await wb.page.locator('.part.sidebar .pane-header .action-label[aria-label^="New File"]').first().click();
    const name = wb.page.locator('.part.sidebar .monaco-list-row .monaco-inputbox input').first();
    await name.waitFor({ state: 'visible' });
    await name.fill('hello.txt');
    await name.press('Enter');
    await wb.page.locator('.tab', { hasText: 'hello.txt' }).first().waitFor({ state: 'visible', timeout: LONG });
    await wb.typeInEditor('hello from code-server');
    await wb.page.keyboard.press('Control+S');
    // Saved: the tab no longer shows the dirty marker.
    await wb.page.locator('.tab.dirty', { hasText: 'hello.txt' }).waitFor({ state: 'detached', timeout: LONG });
    const r = await waitFor('hello.txt inside the machine', LONG, async () => {
      const x = await sshRun(agent().client, pg.id, 'dev', 'cat /root/hello.txt');
      return x.code === 0 && x.stdout.includes('hello from code-server') ? x : undefined;
    });
    await wb.screenshot('saved');
    expect(r.stdout).toBe('hello from code-server');
  });

  step('shows a change made inside the machine in the open editor', async () => {
    const r = await sshRun(agent().client, pg.id, 'dev', "printf 'changed inside the machine\\n' > /root/hello.txt");
    expect(r.code).toBe(0);
    await waitFor('the editor to show the new content', LONG, async () => (await wb.editorText()).includes('changed inside the machine'));
    await wb.screenshot('external-change');
  });

  step('forwards a machine port to a local one', async () => {
    await wb.runCommand('Sandlot: Forward Port…');
    await wb.answerInput('22');
    await wb.waitNotification(/dev:22 is at /, LONG);
    await wb.screenshot('forward-port');
    // The log names the loopback port; the machine's SSH banner must come through it.
    const port = await waitFor('the forwarding line in the Sandlot log', LONG, () => {
      const log = session!.extensionLog();
      const m = log && /forwarding 127\.0\.0\.1:(\d+) → /.exec(fs.readFileSync(log, 'utf8'));
      return m ? Number(m[1]) : undefined;
    });
    const banner = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('data', (d) => (resolve(d.toString()), sock.destroy()));
      sock.once('error', reject);
      setTimeout(() => reject(new Error('no banner within 20 s')), 20_000);
    });
    expect(banner).toMatch(/^SSH-2\.0-/);
  });

  step('says when the agent goes away and reconnects the terminal on a key press', async () => {
    await wb.runCommand('Sandlot: Open Terminal');
    const term = await wb.terminal(LONG);
    await waitFor('the shell prompt', LONG, async () => /[#$] *$/m.test(await wb.terminalText()));
    // The agent restarts (machines keep running); the tunnel under the SSH session dies.
    const home = agent().home;
    await agent().kill();
    await waitFor('the lost-connection message', LONG, async () => /connection to dev lost/.test(await wb.terminalText()));
    await wb.screenshot('terminal-lost');
    session!.agent = await startAgent({ home });
    await term.click();
    await wb.page.keyboard.press('Enter');
    await waitFor('a new prompt after reconnecting', LONG, async () => /reconnecting…\][\s\S]*[#$] *$/.test(await wb.terminalText()));
    await wb.typeInTerminal('echo "back on $(hostname)"');
    await waitFor('the command to run in the new session', LONG, async () => /^back on dev\s*$/m.test(await wb.terminalText()));
    await wb.screenshot('terminal-reconnected');
  });

  step('extends, stops and starts the playground from the tree', async () => {
    await wb.showViewContainer('Sandlot');
    const row = wb.sideBarRow(pg.id);
    await row.waitFor({ state: 'visible', timeout: LONG });
    const before = Date.parse((await agent().client.get(pg.id)).deadline);
    await wb.contextMenu(row, 'Extend Lifetime');
    await wb.pick('+1 h');
    await waitFor('the deadline to move by an hour', LONG, async () => Date.parse((await agent().client.get(pg.id)).deadline) >= before + 59 * 60_000);
    await wb.contextMenu(row, 'Stop Playground');
    await waitFor('the playground to stop', LONG, async () => (await agent().client.get(pg.id)).state === 'stopped');
    await wb.sideBarRow(new RegExp(`${pg.id} · stopped`)).waitFor({ state: 'visible', timeout: LONG });
    await wb.screenshot('stopped');
    await wb.contextMenu(wb.sideBarRow(pg.id), 'Start Stopped Playground');
    await waitFor('the playground to run again', LONG, async () => (await agent().client.get(pg.id)).state === 'running');
    const r = await sshRun(agent().client, pg.id, 'dev', 'cat /root/hello.txt');
    expect(r.stdout).toBe('changed inside the machine\n');
  });

  step('destroys the playground from the tree', async () => {
    await wb.showViewContainer('Sandlot');
    const row = wb.sideBarRow(pg.id);
    await row.waitFor({ state: 'visible', timeout: LONG });
    await wb.contextMenu(row, 'Destroy Playground');
    await wb.clickDialogButton('Destroy');
    await waitFor('the playground to be gone', LONG, async () => (await agent().client.list()).every((p) => p.id !== pg.id || p.state === 'destroyed'));
    await wb.page.locator('.part.sidebar', { hasText: 'No playground is running' }).first().waitFor({ state: 'visible', timeout: LONG });
    await wb.screenshot('destroyed');
  });

  step('starts a playground from a deep link, after asking', async () => {
    // code-server's URL protocol is "code-oss" (desktop VS Code: vscode://sandlot.sandlot/…).
    await wb.runCommand('Developer: Open URL');
    await wb.answerInput('code-oss://sandlot.sandlot/start?template=linux');
    // VS Code first asks whether the extension may handle the link, then Sandlot asks.
    const allow = wb.page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', { hasText: /^Open$/ }).first();
    const ours = wb.page.locator('.monaco-dialog-box', { hasText: 'A link asks to start a "linux" playground' }).first();
    await waitFor('a confirmation dialog', LONG, async () => (await allow.isVisible()) || (await ours.isVisible()));
    if (await allow.isVisible()) await allow.click();
    await ours.waitFor({ state: 'visible', timeout: LONG });
    await wb.screenshot('deep-link-confirm');
    await wb.clickDialogButton('Start');
    const fresh = await waitFor('a new running linux playground', LONG, async () =>
      (await agent().client.list()).find((p) => p.id !== pg.id && p.state === 'running' && p.template === 'linux'),
    );
    await wb.waitNotification(`Playground ${fresh.id} (linux) is ready.`, LONG);
    expect((await agent().client.list()).filter((p) => p.state === 'running')).toHaveLength(1);
    await wb.screenshot('deep-link-started');
  });
});
