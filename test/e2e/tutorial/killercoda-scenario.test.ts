// A Killercoda scenario folder opened in a real VS Code (code-server + Chromium) through
// "Sandlot: Open Tutorial…" → "Open Folder…", on a real agent with the sandbox driver:
// the intro's foreground script runs in the machine's terminal by itself, the second
// step's only once the first step's verify passed, and an inline `{{exec}}` action is
// a Run button. Screenshots in test-results/e2e/killercoda/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../host-agent/api/protocol';
import { sshRun } from '../harness/machine';
import { E2eSession } from '../harness/session';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { tutorialFrame, type Workbench } from '../harness/workbench';

const LONG = 120_000;

const SCENARIO: Record<string, string> = {
  'index.json': JSON.stringify({
    title: 'Killercoda Files',
    description: 'A scenario in the Killercoda format',
    details: {
      intro: { text: 'intro.md', foreground: 'intro-fg.sh' },
      steps: [
        { title: 'Make a file', text: 'step1.md', verify: 'verify1.sh' },
        { title: 'Read it', text: 'step2.md', foreground: 'step2-fg.sh', verify: 'verify2.sh' },
      ],
      finish: { text: 'finish.md' },
    },
    backend: { imageid: 'ubuntu' },
  }),
  'intro.md': '# Welcome\n\nYour terminal starts in `/root/kc`.\n',
  'intro-fg.sh': 'mkdir -p /root/kc && cd /root/kc && echo intro > /root/kc/fg-intro\n',
  'step1.md': 'Create the file: `touch /root/kc/made`{{exec}}\n',
  'verify1.sh': '#!/bin/bash\ntest -f /root/kc/made\n',
  'step2.md': 'The terminal wrote `/root/kc/fg-step2` for you. Copy it: `cp /root/kc/fg-step2 /root/kc/copy`{{exec}}\n',
  'step2-fg.sh': 'echo step2 > /root/kc/fg-step2\n',
  'verify2.sh': '#!/bin/bash\ncmp -s /root/kc/fg-step2 /root/kc/copy\n',
  'finish.md': 'Done!\n',
};

describe('Killercoda scenario in code-server', () => {
  const artifacts = artifactsDir('killercoda');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let pg: PlaygroundRecord;
  let scenarioDir: string;
  const doc = () => tutorialFrame(wb.page);
  const exists = async (file: string) => (await sshRun(session!.agent.client, pg.id, 'dev', `test -e ${file}`)).code === 0;

  beforeAll(async () => {
    session = await E2eSession.start({ name: 'killercoda', artifacts });
    wb = session.wb;
    scenarioDir = path.join(session.runDir, 'scenario');
    for (const [file, text] of Object.entries(SCENARIO)) {
      fs.mkdirSync(path.dirname(path.join(scenarioDir, file)), { recursive: true });
      fs.writeFileSync(path.join(scenarioDir, file), text);
    }
  });

  afterAll(async () => {
    await session?.close();
  });

  it('runs foreground scripts as their steps open and {{exec}} actions from Run buttons', async () => {
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick('Open Folder…');
    await wb.chooseFolder(scenarioDir);

    await doc().locator('.tutorial-state.state-ready').waitFor({ state: 'visible', timeout: LONG });
    [pg] = await session!.agent.client.list();
    expect(pg?.content?.title).toBe('Killercoda Files');
    // The intro's script ran in a terminal the panel opened by itself.
    await waitFor('the intro foreground script to run', LONG, () => exists('/root/kc/fg-intro'));
    await waitFor('the intro script in the terminal', LONG, async () => (await wb.terminalText()).includes('echo intro > /root/kc/fg-intro'));
    // Step 2 has not opened: its script waits for step 1.
    expect(await exists('/root/kc/fg-step2')).toBe(false);
    expect(await doc().locator('.tutorial-count').innerText()).toBe('0/2 done');
    await wb.screenshot('intro-ran');

    await doc().locator('.inline-action', { hasText: 'touch /root/kc/made' }).locator('button.action-run').click();
    await doc().locator('.task[data-status="completed"]').first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('the step 2 foreground script to run', LONG, () => exists('/root/kc/fg-step2'));
    await wb.screenshot('step2-opened');

    await doc().locator('.inline-action', { hasText: 'cp /root/kc/fg-step2' }).locator('button.action-run').click();
    await waitFor('2/2 done', 30_000, async () => (await doc().locator('.tutorial-count').innerText()) === '2/2 done');
    await doc().locator('.tutorial-state.state-completed').waitFor({ state: 'visible', timeout: 30_000 });
    // The terminal ran every script once, in page order, in the directory the intro chose.
    const text = await wb.terminalText();
    expect(text.split('echo intro > /root/kc/fg-intro').length - 1).toBe(1);
    expect(text.indexOf('touch /root/kc/made')).toBeLessThan(text.indexOf('echo step2 > /root/kc/fg-step2'));
    await wb.screenshot('finished');
  });
});
