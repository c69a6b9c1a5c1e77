// Skill paths and courses in the Tutorial view of a real VS Code (code-server + Chromium)
// against a real agent (sandbox driver). The fixtures (test/fixtures/content) sit in the
// agent's $SANDLOT_HOME/content, so Open Tutorial… lists them from the agent's catalog. The
// skill path shows its units in order with the missing reference marked; its unit's Start
// button starts the built-in Linux challenge and the view shows it as a tutorial, with a
// way back to the path, which then says the challenge runs. The course shows its module and lessons, and a
// lesson page read through the tutorial renderer with Start for the lesson that has a
// playground; that Start runs the lesson as a tutorial. Every assertion reads the webview's DOM. Screenshots in test-results/e2e/paths-courses/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { tutorialFrame, webviewFrameWith, type Workbench } from '../harness/workbench';

const LONG = 120_000;
const FIXTURES = path.resolve(__dirname, '../../fixtures/content');

describe('skill paths and courses in the Tutorial view', () => {
  const artifacts = artifactsDir('paths-courses');
  let session: E2eSession | undefined;
  let wb: Workbench;
  const step = journey((name) => wb.screenshot(name));
  const doc = () => tutorialFrame(wb.page);
  const ref = (name: string) => doc().locator(`.path-ref[data-ref="${name}"]`);

  beforeAll(async () => {
    session = await E2eSession.start({ name: 'paths-courses', artifacts, settings: { 'sandlot.openLayoutOnStart': false } });
    wb = session.wb;
    for (const name of ['shell-skill-path', 'notes-course'])
      fs.cpSync(path.join(FIXTURES, name), path.join(session.agent.home, 'content', name), { recursive: true });
  });

  afterAll(async () => {
    await session?.close();
  });

  step('lists the skill path and the course in the Tutorial view while nothing is open, and opens one from there', async () => {
    await wb.showViewContainer('Sandlot');
    const view = await webviewFrameWith(wb.page, '.catalog-entry', LONG);
    const entries = await view.locator('.catalog-entry').allInnerTexts();
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Shell Habits.*skill-path/is),
        expect.stringMatching(/Keeping Notes in the Shell.*course/is),
        expect.stringContaining('Linux Basics'),
      ]),
    );
    await wb.screenshot('catalog');
    // An entry opens in the view: the course is read there.
    await view.locator('.catalog-entry', { hasText: 'Keeping Notes' }).locator('button').click();
    await view.locator('.course-module', { hasText: 'The Basics' }).waitFor({ state: 'visible', timeout: LONG });
  });

  step('opens the skill path from the palette: units in order, the missing reference marked, 0 of 2 done', async () => {
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick(/Shell Habits/);
    await ref('a-tutorial-that-is-nowhere').waitFor({ state: 'visible', timeout: LONG });
    expect(await doc().locator('.path-unit h2').allInnerTexts()).toEqual(['Files and logs', 'Beyond this machine']);
    expect(await ref('a-tutorial-that-is-nowhere').getAttribute('data-state')).toBe('missing');
    expect(await ref('a-tutorial-that-is-nowhere').innerText()).toContain('Missing');
    expect(await ref('a-tutorial-that-is-nowhere').locator('button').count()).toBe(0);
    expect(await ref('linux_basics').getAttribute('data-state')).toBe('not-started');
    expect(await ref('linux_basics').innerText()).toContain('Linux Basics');
    expect(await doc().locator('.tutorial-count').innerText()).toBe('0 of 2 done');
    await wb.screenshot('skill-path');
  });

  step("starts a unit's challenge with its button and shows it as a tutorial", async () => {
    await ref('linux_basics').locator('button[data-action="start-content"]').click();
    await doc().locator('.task[data-task="verify_backup_dir"]').waitFor({ state: 'visible', timeout: LONG });
    const list = await session!.agent.client.list();
    expect(list.map((p) => p.content?.name)).toEqual(['linux-basics']);
  });

  step("goes back to the path from the challenge's header and shows the challenge running", async () => {
    await doc().locator('button.tutorial-from', { hasText: 'Shell Habits' }).click();
    await waitFor(
      'the challenge to show as running',
      LONG,
      async () =>
        (await ref('linux_basics')
          .getAttribute('data-state')
          .catch(() => null)) === 'running',
    );
    expect(await ref('linux_basics').locator('button[data-action="open-playground"]').count()).toBe(1);
    // Open shows the running challenge again; the palette lists the path again.
    await ref('linux_basics').locator('button[data-action="open-playground"]').click();
    await doc().locator('.task[data-task="verify_backup_dir"]').waitFor({ state: 'visible', timeout: LONG });
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick(/Shell Habits/);
    await ref('linux_basics').waitFor({ state: 'visible', timeout: LONG });
    expect(await ref('linux_basics').getAttribute('data-state')).toBe('running');
  });

  step('opens the course: its module and lessons, then a lesson page with Start', async () => {
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick(/Keeping Notes in the Shell/);
    await doc().locator('.course-module').first().waitFor({ state: 'visible', timeout: LONG });
    expect(await doc().locator('.course-module h2').allInnerTexts()).toEqual(['The Basics']);
    expect(await doc().locator('.course-lesson').allInnerTexts()).toEqual([expect.stringContaining('Reading'), expect.stringContaining('Write a Note')]);
    expect(await doc().getByText('Welcome to a course in two lessons.').count()).toBe(1);
    await doc().locator('.course-lesson', { hasText: 'Write a Note' }).locator('button').click();
    await doc().getByText('Write the word remember into /root/note.txt.').waitFor({ state: 'visible', timeout: LONG });
    expect(await doc().locator('h1').innerText()).toBe('Write a Note');
    expect(await doc().locator('.task[data-task="verify_note"] .task-label').innerText()).toBe('Not started');
    expect(await doc().locator('button[data-action="start-content"]').innerText()).toContain('Start this lesson');
    // Back to the course page, and on to the read-only lesson: no Start there.
    await doc().locator('.course-nav button', { hasText: 'Reading' }).click();
    await doc().getByText('A note you can grep is a note you can find again.').waitFor({ state: 'visible', timeout: LONG });
    expect(await doc().locator('button[data-action="start-content"]').count()).toBe(0);
    await wb.screenshot('course-lesson');
  });

  step('starts the lesson with a playground from its page and shows it as a tutorial', async () => {
    await doc().locator('.course-nav button', { hasText: 'Write a Note' }).click();
    await doc().locator('button[data-action="start-content"]').click();
    await doc().locator('.tutorial-state.state-ready').waitFor({ state: 'visible', timeout: LONG });
    expect(await doc().locator('.task[data-task="verify_note"]').getAttribute('data-status')).not.toBe('completed');
    expect(await doc().locator('.tutorial-count').innerText()).toBe('0/1 done');
    const lesson = (await session!.agent.client.list()).find((p) => p.content?.kind === 'lesson');
    expect(lesson?.content).toMatchObject({
      title: 'Write a Note',
      source: path.join(session!.agent.home, 'content', 'notes-course', '010.basics', '20.practice'),
    });
    await wb.screenshot('lesson-started');
  });
});
