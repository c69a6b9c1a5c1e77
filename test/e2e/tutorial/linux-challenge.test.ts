// The tutorial panel in a real VS Code (code-server + Chromium) against a real agent with
// the sandbox driver: open the built-in Linux challenge from the palette, see its first
// step pending in the webview, run the solution in the machine over SSH, and watch
// the step turn green in the webview DOM. Screenshots in test-results/e2e/tutorial/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, CLI, type AgentHandle } from '../../helpers/agent-process';
import { CodeServer } from '../harness/code-server';
import { sshRun } from '../harness/machine';
import { packageVsix } from '../harness/vsix';
import { artifactsDir, waitFor } from '../harness/util';
import { Workbench } from '../harness/workbench';

const LONG = 120_000;

describe('tutorial panel in code-server', () => {
  const artifacts = artifactsDir('tutorial');
  let runDir: string;
  let agent: AgentHandle | undefined;
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  beforeAll(async () => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-e2e-tutorial-'));
    fs.mkdirSync(path.join(runDir, 'sandlot-home'));
    agent = await startAgent({ home: path.join(runDir, 'sandlot-home') });
    const vsix = await packageVsix(runDir);
    server = await CodeServer.start({
      runDir,
      extensions: [vsix],
      env: { SANDLOT_HOME: agent.home },
      settings: { 'sandlot.cli.path': CLI, 'terminal.integrated.gpuAcceleration': 'off' },
    });
    wb = await Workbench.open(server.url, path.join(runDir, 'chromium'), artifacts);
  });

  afterAll(async () => {
    await wb?.screenshot('final').catch(() => undefined);
    await wb?.close();
    if (server) fs.copyFileSync(server.logFile, path.join(artifacts, 'code-server.log'));
    await server?.stop();
    if (agent) {
      fs.writeFileSync(path.join(artifacts, 'agent.log'), agent.log());
      for (const p of await agent.client.list().catch(() => [])) await agent.client.destroy(p.id).catch(() => undefined);
      await agent.kill();
    }
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('turns the backup-directory step green after the learner makes it over SSH', async () => {
    const w = wb!;
    await w.runCommand('Sandlot: Open Tutorial…');
    await w.pick('Linux Basics');

    // The webview's document sits two iframes deep: VS Code's host frame, then the content.
    const doc = w.page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
    const step = doc.locator('.task[data-task="verify_backup_dir"]');
    await step.waitFor({ state: 'visible', timeout: LONG });
    await doc.locator('.tutorial-state.state-ready').waitFor({ state: 'visible', timeout: LONG });
    expect(await step.getAttribute('data-status')).not.toBe('completed');
    expect(await doc.locator('.tutorial-count').innerText()).toMatch(/^0\/\d+ done$/);
    await w.screenshot('before');

    // The solution runs over SSH, as the learner's shell would (the palette's Open Terminal
    // is not yet driven here: see the report of issue 4).
    const [pg] = await agent!.client.list();
    const r = await sshRun(agent!.client, pg!.id, 'dev', 'mkdir -p /root/backup');
    expect(r.code).toBe(0);

    await doc.locator('.task[data-task="verify_backup_dir"][data-status="completed"]').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await step.locator('.task-icon').innerText()).toBe('✔');
    expect(await doc.locator('.tutorial-count').innerText()).toMatch(/^1\/\d+ done$/);
    await w.screenshot('after');
  });
});
