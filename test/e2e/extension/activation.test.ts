// Smoke test of the harness and the packaged extension: the .vsix installs into a real
// VS Code (code-server), activates, contributes its views, and logs to its channel.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOwnJson } from '../../../host-agent/util/json';
import { CLI } from '../../helpers/agent-process';
import { CodeServer } from '../harness/code-server';
import { newestFile } from '../harness/session';
import { packageVsix } from '../harness/vsix';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { selectedVersion } from '../harness/versions';
import { ACTIVATION_TIMEOUT, Workbench } from '../harness/workbench';

describe('extension activation in code-server', () => {
  let runDir: string;
  let home: string;
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  const artifacts = artifactsDir('activation');

  beforeAll(async () => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-e2e-activation-'));
    home = path.join(runDir, 'sandlot-home');
    const vsix = await packageVsix(runDir);
    // No agent runs for this SANDLOT_HOME: the extension must still activate and say so.
    server = await CodeServer.start({
      runDir,
      extensions: [vsix],
      env: { SANDLOT_HOME: home },
      settings: { 'sandlot.cli.path': CLI },
    });
    fs.mkdirSync(path.join(runDir, 'project'));
    wb = await Workbench.open(server.folderUrl(path.join(runDir, 'project')), path.join(runDir, 'chromium'), artifacts);
  });

  afterAll(async () => {
    if (wb) await wb.screenshot('final');
    await wb?.close();
    if (server) fs.copyFileSync(server.logFile, path.join(artifacts, 'code-server.log'));
    await server?.stop();
    // The agent the extension started is detached from code-server: stop it by its pid.
    try {
      const { pid } = readAgentInfo(home);
      process.kill(pid, 'SIGTERM');
      await waitFor('the started agent to exit', 20_000, () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      });
    } catch {
      // never started
    }
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('activates and writes to the Sandlot log', async () => {
    // The first command waits for the extension host to come up and register it.
    await wb!.runCommand('Sandlot: Show Logs', ACTIVATION_TIMEOUT);
    await waitFor('the Output panel to show the activation line', 60_000, async () => /Sandlot \d+\.\d+\.\d+ active/.test(await wb!.outputText()));
    await wb!.screenshot('log');
    // The details from the log file itself: the panel wraps long lines where it likes.
    const file = newestFile(path.join(runDir, 'user', 'logs'), 'Sandlot.log');
    const line = fs
      .readFileSync(file!, 'utf8')
      .split('\n')
      .find((l) => / active \(/.test(l));
    expect(line).toMatch(/uiKind=\d, remote=/);
    // The extension host is the VS Code this run selected (the version axis is real).
    expect(line).toContain(`(VS Code ${selectedVersion().vscode},`);
  });

  it('shows the Sandlot view container with the Playgrounds view', async () => {
    await wb!.page.locator('.activitybar .action-item a[aria-label^="Sandlot"]').first().click();
    const title = wb!.page.locator('.pane-header', { hasText: 'Playgrounds' }).first();
    await title.waitFor({ state: 'visible' });
    await wb!.screenshot('views');
    expect(await wb!.page.locator('.pane-header', { hasText: 'Catalog' }).count()).toBeGreaterThan(0);
  });

  it('starts a local agent from the welcome view and then lists the catalog', async () => {
    const button = wb!.page.locator('.part.sidebar .welcome-view-content a.monaco-button', { hasText: 'Start Local Agent' }).first();
    await button.waitFor({ state: 'visible' });
    await button.click();
    // Connected: the welcome text changes and the catalog fills from the agent.
    await wb!.page.locator('.part.sidebar', { hasText: 'No playground is running' }).first().waitFor({ state: 'visible', timeout: 90_000 });
    await wb!.sideBarRow(/^Linux\s*linux/).waitFor({ state: 'visible', timeout: 60_000 });
    await wb!.screenshot('agent-started');
    const info = readAgentInfo(home);
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fs.readFileSync(path.join(home, 'agent.log'), 'utf8')).toMatch(/listening on/);
  });

  it('has a Get Started walkthrough with its four steps', async () => {
    await wb!.runCommand('Welcome: Open Walkthrough...');
    await wb!.pick('Get Started with Sandlot');
    for (const title of ['Connect to the agent', 'Start a playground', 'Open a terminal or a folder', 'Learn with a tutorial']) {
      await wb!.page.locator('.getting-started-step', { hasText: title }).first().waitFor({ state: 'visible' });
    }
    // The first step's media (extension/media/walkthrough/agent.md) renders in a webview beside it.
    // (Other webviews may be open too, e.g. the tutorial view: look in each.)
    await waitFor('the walkthrough media', 60_000, async () => {
      const n = await wb!.page.locator('iframe.webview.ready').count();
      for (let i = 0; i < n; i++) {
        const frame = wb!.page.locator('iframe.webview.ready').nth(i).contentFrame().locator('iframe#active-frame').contentFrame();
        if ((await frame.locator('h1', { hasText: 'The Sandlot agent' }).count()) > 0) return true;
      }
      return false;
    });
    await wb!.screenshot('walkthrough');
  });
});

/** $SANDLOT_HOME/agent.json, which the agent the extension started writes. */
function readAgentInfo(home: string): { url: string; pid: number } {
  return readOwnJson<{ url: string; pid: number }>(path.join(home, 'agent.json'));
}
