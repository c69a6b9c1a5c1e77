// Green at once, in a real VS Code (code-server + Chromium) against a real agent whose
// check loop is slowed to once every 10 minutes: the only way a step can turn green
// within seconds is the extension telling the agent that the machine changed. A command
// typed in the Sandlot terminal (its prompt comes back) and a file saved through
// sandlot:// each make the agent check at once. Screenshots in test-results/e2e/green-at-once/.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { PlaygroundRecord } from '../../../host-agent/api/protocol';
import { sshRun } from '../harness/machine';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { tutorialFrame, type Workbench } from '../harness/workbench';

const LONG = 120_000;
/** Far below the agent's check period (10 min): only a nudge gets a step green this soon. */
const AT_ONCE = 20_000;

describe('green at once in code-server', () => {
  const artifacts = artifactsDir('green-at-once');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let pg: PlaygroundRecord;
  const step = journey((name) => wb.screenshot(name));
  const doc = () => tutorialFrame(wb.page);
  const task = (name: string) => doc().locator(`.task[data-task="${name}"]`);

  beforeAll(async () => {
    session = await E2eSession.start({
      name: 'green-at-once',
      artifacts,
      agentArgs: ['--check-interval', '10m'],
      settings: { 'files.autoSave': 'off', 'sandlot.openLayoutOnStart': false },
    });
    wb = session.wb;
  });

  afterAll(async () => {
    await session?.close();
  });

  step('opens the Linux challenge with its first step pending', async () => {
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick('Linux Basics');
    await doc().locator('.tutorial-state.state-ready').waitFor({ state: 'visible', timeout: LONG });
    expect(await task('verify_backup_dir').getAttribute('data-status')).not.toBe('completed');
    [pg] = await session!.agent.client.list();
    expect(pg?.content?.name).toBe('linux-basics');
  });

  step('turns a step green as soon as the command typed in the terminal finishes', async () => {
    await wb.runCommand('Sandlot: Open Terminal');
    await wb.terminal(LONG);
    await waitFor('the shell prompt', LONG, async () => /[#$] *$/m.test(await wb.terminalText()));
    // The checks ran once when the content became ready and now sleep for 10 minutes.
    const typed = Date.now();
    await wb.typeInTerminal('mkdir -p /root/backup');
    await doc().locator('.task[data-task="verify_backup_dir"][data-status="completed"]').waitFor({ state: 'visible', timeout: AT_ONCE });
    const ms = Date.now() - typed;
    console.log(`terminal command → step green in the webview: ${ms} ms (typing included)`);
    await wb.screenshot('terminal-green');
    const tasks = (await session!.agent.client.get(pg.id)).tasks ?? {};
    // The step after it was not satisfied: it is pending, not green by accident.
    expect(tasks.verify_copy?.status).not.toBe('completed');
  });

  step('checks at once when a file is saved through sandlot://', async () => {
    const count = (await sshRun(session!.agent.client, pg.id, 'dev', 'grep -c ERROR /root/challenge/logs/app.log')).stdout.trim();
    await wb.runCommand('Sandlot: Open Folder');
    await waitFor('the window to open the machine folder', LONG, () => decodeURIComponent(wb.page.url()).includes(`sandlot://${pg.id}.dev`));
    await wb.waitReady();
    await wb.showViewContainer('Explorer');
    await wb.sideBarRow('backup').waitFor({ state: 'visible', timeout: LONG });
    await wb.page
      .locator('.part.sidebar .pane-header', { hasText: /^root$/i })
      .first()
      .hover();
    await wb.page.locator('.part.sidebar .pane-header .action-label[aria-label^="New File"]').first().click();
    const name = wb.page.locator('.part.sidebar .monaco-list-row .monaco-inputbox input').first();
    await name.waitFor({ state: 'visible' });
    await name.fill('backup/errors.txt');
    await name.press('Enter');
    await wb.page.locator('.tab', { hasText: 'errors.txt' }).first().waitFor({ state: 'visible', timeout: LONG });
    await wb.typeInEditor(count);
    const saved = Date.now();
    await wb.page.keyboard.press('Control+S');
    const done = await waitFor('verify_error_count to complete', AT_ONCE, async () => {
      const t = (await session!.agent.client.get(pg.id)).tasks?.verify_error_count;
      return t?.status === 'completed' ? t : undefined;
    });
    console.log(`file saved → task completed in the agent: ${Date.now() - saved} ms`);
    expect(done.status).toBe('completed');
    await wb.screenshot('file-green');
  });
});
