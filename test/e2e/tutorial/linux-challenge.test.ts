// The tutorial panel in a real VS Code (code-server + Chromium) against a real agent with
// the sandbox driver, played through as a learner does: open the built-in Linux
// challenge from the palette, type the first solutions in the playground's terminal,
// use a step's "Run in terminal" button, answer the question in the webview's input box
// (wrong, then right), reload the window to find the finished state again, then restart
// and stop the content from the palette. Every
// assertion on progress reads the webview's DOM. Screenshots in test-results/e2e/tutorial/.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { PlaygroundRecord } from '../../../host-agent/api/protocol';
import { sshRun } from '../harness/machine';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { tutorialFrame, type Workbench } from '../harness/workbench';

const LONG = 120_000;
/** The bound on condition → green, plus the check loop and the UI on a loaded host. */
const GREEN = 30_000;

describe('tutorial panel in code-server', () => {
  const artifacts = artifactsDir('tutorial');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let pg: PlaygroundRecord;
  const step = journey((name) => wb.screenshot(name));
  const doc = () => tutorialFrame(wb.page);
  const task = (name: string) => doc().locator(`.task[data-task="${name}"]`);
  const green = (name: string) => doc().locator(`.task[data-task="${name}"][data-status="completed"]`).waitFor({ state: 'visible', timeout: GREEN });
  const count = () => doc().locator('.tutorial-count').innerText();

  beforeAll(async () => {
    session = await E2eSession.start({ name: 'tutorial', artifacts });
    wb = session.wb;
  });

  afterAll(async () => {
    await session?.close();
  });

  step('opens the Linux challenge from the palette with its first step pending', async () => {
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick('Linux Basics');
    await task('verify_backup_dir').waitFor({ state: 'visible', timeout: LONG });
    await doc().locator('.tutorial-state.state-ready').waitFor({ state: 'visible', timeout: LONG });
    expect(await task('verify_backup_dir').getAttribute('data-status')).not.toBe('completed');
    expect(await count()).toMatch(/^0\/4 done$/);
    [pg] = await session!.agent.client.list();
    expect(pg?.content?.name).toBe('linux-basics');
    await wb.screenshot('before');
  });

  step('turns the first step green after the learner types the solution in the terminal', async () => {
    await wb.runCommand('Sandlot: Open Terminal');
    await wb.terminal(LONG);
    await waitFor('the shell prompt', LONG, async () => /[#$] *$/m.test(await wb.terminalText()));
    await wb.typeInTerminal('mkdir -p /root/backup');
    await green('verify_backup_dir');
    expect(await task('verify_backup_dir').locator('.task-icon').innerText()).toBe('✔');
    expect(await count()).toBe('1/4 done');
    await wb.screenshot('after-terminal');
  });

  step('shows the hint of a wrong copy, then turns green on the right one', async () => {
    // A file that is not the log: hintcheck explains, the step stays pending.
    await wb.typeInTerminal('echo nope > /root/backup/app.log');
    await task('verify_copy').locator('.task-hint', { hasText: 'differs from the original' }).waitFor({ state: 'visible', timeout: GREEN });
    expect(await task('verify_copy').getAttribute('data-status')).not.toBe('completed');
    await wb.screenshot('hint');
    await wb.typeInTerminal('cp /root/challenge/logs/app.log /root/backup/');
    await green('verify_copy');
    expect(await task('verify_copy').locator('.task-hint').count()).toBe(0);
    expect(await count()).toBe('2/4 done');
  });

  step('runs the solution block in a new machine terminal with its Run button', async () => {
    // No terminal open: the button must open one and wait for its shell before typing.
    await wb.runCommand('Terminal: Kill All Terminals');
    await waitFor('the terminals to close', LONG, async () => (await wb.page.locator('.terminal-wrapper').count()) === 0);
    const details = doc().locator('details.box-details', { hasText: 'grep -c ERROR' });
    await details.locator('summary').click();
    await details.locator('button.action-run').click();
    // The command shows up in the terminal, as if typed, and the step turns green.
    await waitFor('the command in the terminal', LONG, async () => (await wb.terminalText()).includes('grep -c ERROR /root/challenge/logs/app.log'));
    await green('verify_error_count');
    const r = await sshRun(session!.agent.client, pg.id, 'dev', 'cat /root/backup/errors.txt; grep -c ERROR /root/challenge/logs/app.log');
    const [written, expected] = r.stdout.trim().split('\n');
    expect(written).toBe(expected);
    expect(await count()).toBe('3/4 done');
    await wb.screenshot('run-button');
  });

  step('says a wrong answer is wrong and keeps it, then accepts the right one', async () => {
    const form = task('verify_warn_answer').locator('form.task-input');
    const input = form.locator('input[name="answer"]');
    await input.fill('999');
    await form.locator('button[type="submit"]').click();
    await form.locator('.task-input-result.error', { hasText: 'Not quite' }).waitFor({ state: 'visible', timeout: GREEN });
    expect(await input.inputValue()).toBe('999');
    expect(await task('verify_warn_answer').getAttribute('data-status')).not.toBe('completed');
    await wb.screenshot('wrong-answer');

    const r = await sshRun(session!.agent.client, pg.id, 'dev', 'grep -c WARN /root/challenge/logs/app.log');
    await input.fill(r.stdout.trim());
    await form.locator('button[type="submit"]').click();
    await green('verify_warn_answer');
    expect(await count()).toBe('4/4 done');
    await doc().locator('.tutorial-state.state-completed').waitFor({ state: 'visible', timeout: GREEN });
    await wb.screenshot('all-done');
  });

  step('shows the same finished state after the window reloads', async () => {
    await wb.page.reload();
    await wb.waitReady();
    // The panel comes back by itself (serializer) and asks the agent for the state again.
    await task('verify_warn_answer').waitFor({ state: 'visible', timeout: LONG });
    await waitFor('4/4 after the reload', LONG, async () => (await count()) === '4/4 done');
    for (const name of ['verify_backup_dir', 'verify_copy', 'verify_error_count', 'verify_warn_answer']) {
      expect(await task(name).getAttribute('data-status')).toBe('completed');
    }
    await wb.screenshot('reloaded');
  });

  step('starts over with Restart Content and stops with Stop Content', async () => {
    const before = (await sshRun(session!.agent.client, pg.id, 'dev', 'cat /root/challenge/logs/app.log')).stdout;
    await wb.runCommand('Sandlot: Restart Content');
    // The init tasks run again and write a fresh log: the old copy no longer matches it,
    // and the question waits for a new answer.
    await doc().locator('.tutorial-state.state-ready').waitFor({ state: 'visible', timeout: LONG });
    await waitFor(
      'the restarted question to wait for an answer',
      LONG,
      async () => (await task('verify_warn_answer').getAttribute('data-status')) !== 'completed',
    );
    const after = (await sshRun(session!.agent.client, pg.id, 'dev', 'cat /root/challenge/logs/app.log')).stdout;
    expect(after).not.toBe(before);
    await waitFor('the stale copy to count as not done', LONG, async () => (await task('verify_copy').getAttribute('data-status')) !== 'completed');
    expect(await count()).not.toBe('4/4 done');
    await wb.screenshot('restarted');

    await wb.runCommand('Sandlot: Stop Content');
    await doc().locator('.tutorial-state.state-stopped').waitFor({ state: 'visible', timeout: LONG });
    expect((await session!.agent.client.get(pg.id)).content?.state).toBe('stopped');
    await wb.screenshot('stopped');
  });
});
