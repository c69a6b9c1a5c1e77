// Writing content in a real VS Code (code-server + Chromium) against a real agent (sandbox
// driver): a content folder open as the workspace, its content running on a playground
// and shown in the tutorial panel. A mistake typed into index.md shows as a problem at its
// line before anything is saved and goes away once the line is removed; a saved change of the text
// reloads the running content and the panel shows the new words in place. The preview
// follows typing without a playground; Test This Content runs `sandlot content test` and
// shows each task in the Test Explorer.
// Screenshots in test-results/e2e/authoring/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { tutorialFrame, UI_TIMEOUT, type Workbench } from '../harness/workbench';

const LONG = 120_000;

const INDEX_MD = [
  '---',
  'kind: challenge',
  'title: Authoring check',
  'playground:',
  '  name: linux',
  'tasks:',
  '  verify_a:',
  '    run: "[ -f /root/a ]"',
  '---',
  '',
  'First words.',
  '',
].join('\n');

describe('writing content in code-server', () => {
  const artifacts = artifactsDir('authoring');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let dir: string;
  let pg: string;
  const step = journey((name) => wb.screenshot(name));
  const doc = () => tutorialFrame(wb.page);
  const squiggles = () => wb.page.locator('.editor-group-container.active .monaco-editor .squiggly-error');

  const goToLine = async (line: number) => {
    await wb.runCommand('Go to Line/Column');
    await wb.page.keyboard.type(String(line));
    await wb.page.keyboard.press('Enter');
    await waitFor('the editor to take keyboard focus', UI_TIMEOUT, () =>
      wb.page.evaluate(() => !!document.activeElement?.closest('.editor-group-container.active .monaco-editor')),
    );
  };

  beforeAll(async () => {
    session = await E2eSession.start({ name: 'authoring', artifacts, settings: { 'files.autoSave': 'off', 'sandlot.openLayoutOnStart': false } });
    wb = session.wb;
    dir = path.join(session.runDir, 'authoring-check');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.md'), INDEX_MD);
    // The author's solution, as iximiuz Labs' CI runs it: what `content test` applies.
    fs.writeFileSync(path.join(dir, '.solution.sh'), '# session: root@dev\ntouch /root/a\n');
  });

  afterAll(async () => {
    await session?.close();
  });

  step('shows running content from the workspace folder in the tutorial panel', async () => {
    pg = (await session!.agent.client.startContent({ source: dir })).id;
    await wb.goto(session!.server.folderUrl(dir));
    await wb.waitReady();
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick(/Authoring check/);
    await doc().getByText('First words.').waitFor({ state: 'visible', timeout: LONG });
  });

  step('shows a mistake typed into index.md as a problem at its line, and clears it once fixed', async () => {
    await wb.showViewContainer('Explorer');
    await wb.sideBarRow('index.md').click();
    await wb.page.locator('.tab', { hasText: 'index.md' }).first().waitFor({ state: 'visible', timeout: LONG });
    await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    // Line 8 is `    run: …`: a machine the template does not have goes above it.
    await goToLine(8);
    await wb.page.keyboard.press('Home');
    await wb.page.keyboard.type('machine: nope');
    await wb.page.keyboard.press('Enter');
    await waitFor('the edit in the editor', UI_TIMEOUT, async () => (await wb.editorText()).includes('machine: nope'));
    await squiggles().first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // The Problems view names the machine and the line of the field.
    await wb.page.keyboard.press('Control+Shift+M');
    const problems = wb.page.locator('.markers-panel');
    await waitFor('the problem in the Problems view', UI_TIMEOUT, async () => /nope/.test(await problems.innerText()));
    expect(await problems.innerText()).toMatch(/\[Ln 8, Col 5\]/);
    await wb.screenshot('problem');
    // Not saved: the running content did not change.
    expect(fs.readFileSync(path.join(dir, 'index.md'), 'utf8')).toBe(INDEX_MD);
    // Fixed: the line goes again (still not saved).
    await goToLine(8);
    await wb.runCommand('Delete Line');
    await waitFor('the line to be gone', UI_TIMEOUT, async () => !(await wb.editorText()).includes('machine: nope'));
    await squiggles().first().waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await wb.screenshot('fixed');
  });

  step('reloads the running content on save and redraws the panel in place', async () => {
    await goToLine(11);
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.type(' More words.');
    await wb.page.keyboard.press('Control+S');
    await wb.page.locator('.tab.dirty', { hasText: 'index.md' }).waitFor({ state: 'detached', timeout: LONG });
    // The panel shares the editor group with index.md here: bring it to the front.
    await wb.page.locator('.tab', { hasText: 'Tutorial' }).first().click();
    await doc().getByText('First words. More words.').waitFor({ state: 'visible', timeout: 30_000 });
    const record = await session!.agent.client.get(pg);
    expect(record.content?.revision).toBe(1);
    await wb.screenshot('reloaded');
  });

  step('previews the content beside the editor, following what is typed', async () => {
    await wb.closeEditor('Tutorial');
    await wb.page.locator('.tab', { hasText: 'index.md' }).first().click();
    await wb.runCommand('Sandlot: Preview Tutorial');
    await wb.page.locator('.tab', { hasText: 'Preview: authoring-check' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await doc().getByText('First words. More words.').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // Its one task counted, not done: nothing runs in a preview.
    expect(await doc().locator('.tutorial-count').innerText()).toBe('0/1 done');
    await wb.page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await goToLine(11);
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.type(' Typed live.');
    // Not saved: the preview follows the editor.
    await doc().getByText('First words. More words. Typed live.').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await wb.screenshot('preview');
    await wb.page.keyboard.press('Control+S');
  });

  step('tests the content from the palette and shows each task in the Test Explorer', async () => {
    await wb.page.locator('.tab', { hasText: 'index.md' }).first().click();
    await wb.runCommand('Sandlot: Test This Content');
    const passed = (text: string) => wb.page.locator('.monaco-list-row:has(.codicon-testing-passed-icon)', { hasText: text }).first();
    await passed('Authoring check').waitFor({ state: 'visible', timeout: LONG });
    // Its tasks are its children: open it.
    await passed('Authoring check').locator('.monaco-tl-twistie').click();
    await passed('verify_a').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await wb.screenshot('tested');
    // The test's playground is gone again; the one the author runs is still there.
    const left = await session!.agent.client.list();
    expect(left.map((p) => p.id)).toEqual([pg]);
  });
});
