// A playground's layout in a real VS Code (code-server + Chromium) against a real agent
// with the sandbox driver: start a manifest with terminal + http-port + web-page tabs
// from "Start Playground from Manifest…", answer its init condition in the quick pick
// (the init task that serves the site runs only for that value), and find three editors:
// the machine's terminal, its port 8080 in a browser tab showing the machine's page, and
// a web page. "Open Playground Layout" brings the same editors back. Screenshots in
// test-results/e2e/playground-layout/.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { PlaygroundRecord } from '../../../host-agent/api/protocol';
import { sshRun } from '../harness/machine';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { webviewFrameWith, type Workbench } from '../harness/workbench';

const LONG = 90_000;

describe('playground layout in code-server', () => {
  const artifacts = artifactsDir('playground-layout');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let pg: PlaygroundRecord;
  let docs: http.Server;
  let manifestFile: string;
  const step = journey((name) => wb.screenshot(name));
  const editorTabs = () => wb.page.locator('.editor-group-container .tabs-container .tab');
  /** The page inside a browser tab: our webview, then the iframe of the address. */
  const browserPage = async (title: string) =>
    (await webviewFrameWith(wb.page, `iframe#sandlot-browser[title="${title}"]`)).frameLocator(`iframe#sandlot-browser[title="${title}"]`);

  beforeAll(async () => {
    // The web-page tab's site: served by the test, on loopback only.
    docs = http.createServer((_req, res) => res.end('<!DOCTYPE html><title>docs</title><h1 id="docs">The docs page</h1>'));
    await new Promise<void>((r) => docs.listen(0, '127.0.0.1', r));
    const address = docs.address();
    const docsPort = address && typeof address === 'object' ? address.port : 0;
    session = await E2eSession.start({ name: 'layout', artifacts });
    wb = session.wb;
    manifestFile = path.join(session.runDir, 'site.playground.yaml');
    fs.writeFileSync(
      manifestFile,
      `kind: playground
name: site
title: A machine with a site
playground:
  machines:
    - name: web
      users: [{ name: root, default: true }]
  tabs:
    - machine: web
    - kind: http-port
      name: Site
      machine: web
      number: 8080
    - kind: web-page
      name: Docs
      url: http://127.0.0.1:${docsPort}/
  initConditions:
    values:
      - key: greeting
        default: hello
        options: [hello, hi]
  initTasks:
    init_site:
      init: true
      machine: web
      conditions: [{ key: greeting, value: hi }]
      run: |
        mkdir -p /tmp/site && echo '<h1 id="site">served by web: hi</h1>' > /tmp/site/index.html
        (setsid python3 -m http.server 8080 -d /tmp/site >/tmp/site.log 2>&1 &)
        for i in $(seq 300); do (echo > /dev/tcp/127.0.0.1/8080) 2>/dev/null && exit 0; sleep 0.1; done
        echo "the site did not come up:"; cat /tmp/site.log; exit 1
`,
    );
  });

  afterAll(async () => {
    await session?.close();
    docs?.close();
  });

  step('starts the manifest from the palette, asking for its init condition', async () => {
    await wb.runCommand('Sandlot: Start Playground from Manifest…');
    // code-server's own open dialog: type the file's path and accept it.
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // The dialog may put its starting path back after we typed ours, and ignores Enter while it
    // still lists a folder: set the path, read it back, accept, until our pick (titled with the condition) shows.
    const title = wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'greeting' });
    await waitFor(
      'the init condition pick',
      LONG,
      async () => {
        if (await title.isVisible()) return true;
        if ((await input.inputValue().catch(() => '')) !== manifestFile) {
          await input.fill(manifestFile).catch(() => undefined);
          return false;
        }
        await input.press('Enter').catch(() => undefined);
        await title.waitFor({ state: 'visible', timeout: 1_000 }).catch(() => undefined);
        return title.isVisible();
      },
      500,
    );
    await wb.screenshot('init-condition');
    await wb.pick(/^hi/);
    pg = await waitFor('the playground to run', LONG, async () => (await session!.agent.client.list()).find((p) => p.state === 'running'));
    expect(pg.template).toBe('site');
  });

  step('opens the layout: a terminal, the http-port tab and the web page as three editors', async () => {
    await waitFor('three editors', LONG, async () => (await editorTabs().count()) === 3);
    const titles = (await editorTabs().allInnerTexts()).map((t) => t.trim());
    expect(titles).toEqual([`web (${pg.id})`, 'Site', 'Docs']);
    await wb.screenshot('layout');
    await editorTabs().filter({ hasText: 'Docs' }).click();
    const docsFrame = await browserPage('Docs');
    await docsFrame.locator('#docs').waitFor({ state: 'visible', timeout: LONG });
    expect(await docsFrame.locator('#docs').innerText()).toBe('The docs page');
  });

  step('shows the page the init task (run for the picked value) serves in the http-port tab', async () => {
    await editorTabs().filter({ hasText: 'Site' }).click();
    const site = await browserPage('Site');
    await site.locator('#site').waitFor({ state: 'visible', timeout: LONG });
    expect(await site.locator('#site').innerText()).toBe('served by web: hi');
    await wb.screenshot('site');
  });

  step('reopens the layout on the same editors, showing its first tab', async () => {
    await wb.runCommand('Sandlot: Open Playground Layout');
    await waitFor('the terminal tab in front', LONG, async () => /\bactive\b/.test((await editorTabs().first().getAttribute('class')) ?? ''));
    expect(await editorTabs().count()).toBe(3);
    // The machine's page is not the playground's only evidence: the task ran in the machine.
    expect((await sshRun(session!.agent.client, pg.id, 'web', 'cat /tmp/site/index.html')).stdout).toContain('served by web: hi');
  });
});
