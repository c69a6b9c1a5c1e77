// Palette → terminal prompt in a real VS Code (code-server 4.100.3 + Chromium, the e2e
// harness): time from choosing "Sandlot: Open Terminal" in the command palette to the
// machine's shell prompt on screen (SSH through the agent tunnel, PTY, xterm render).
// Baseline in the same run: "Terminal: Create New Terminal" (a local bash in the
// code-server host) to its prompt. Medians; the extension's first SSH connection is
// reused after the first run (one connection per machine), as it would be for a user.
//
//   npm run build && npm run bench -- extension-palette [--runs 7]
import { startPlayground } from '../test/helpers/agent-process';
import { waitFor } from '../test/e2e/harness/util';
import { withWorkbench } from './workbench-session';
import { runBench, runsArg } from './harness';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = runsArg(7);

async function main(): Promise<void> {
  await withWorkbench('palette', { 'terminal.integrated.defaultProfile.linux': 'bash' }, async (session) => {
    const pg = await startPlayground(session.agent, 'linux');
    const w = session.wb;
    // Ready when the extension lists the playground (it has connected to the agent).
    await w.showViewContainer('Sandlot');
    await w.sideBarRow(pg.id).waitFor({ state: 'visible', timeout: 120_000 });

    const measure = async (command: string, prompt: RegExp): Promise<number> => {
      const row = await w.paletteRow(command);
      const t = Date.now();
      await row.click();
      await waitFor(`the prompt after "${command}"`, 60_000, async () => prompt.test(await w.terminalText()), 20);
      const took = Date.now() - t;
      await w.runCommand('Terminal: Kill All Terminals');
      await waitFor('terminals to close', 30_000, async () => (await w.page.locator('.terminal-wrapper').count()) === 0, 50);
      return took;
    };
    const sandlot: number[] = [];
    const local: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      sandlot.push(await measure('Sandlot: Open Terminal', /root@dev:~# *$/m));
      local.push(await measure('Terminal: Create New Terminal', /[#$] *$/m));
    }
    console.log(`runs: ${RUNS}, load average ${loadAverage()}`);
    console.log(
      `palette "Sandlot: Open Terminal" → machine prompt visible: median ${fmtMs(median(sandlot))} (first ${fmtMs(sandlot[0])}, all ${sandlot.map((x) => x.toFixed(0)).join(', ')})`,
    );
    console.log(
      `  baseline "Terminal: Create New Terminal" → local prompt: median ${fmtMs(median(local))} — ratio ${(median(sandlot) / median(local)).toFixed(2)}x`,
    );
  });
}

runBench(main);
