// Palette → terminal prompt in a real VS Code (code-server 4.100.3 + Chromium, the e2e
// harness): time from choosing "Sandlot: Open Terminal" in the command palette to the
// machine's shell prompt on screen (SSH through the agent tunnel, PTY, xterm render).
// Baseline in the same run: "Terminal: Create New Terminal" (a local bash in the
// code-server host) to its prompt. Medians; the extension's first SSH connection is
// reused after the first run (one connection per machine), as it would be for a user.
//
//   npm run build && npm run bench -- extension-palette [--runs 7]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, startAgent, startPlayground } from '../test/helpers/agent-process';
import { CodeServer } from '../test/e2e/harness/code-server';
import { packageVsix } from '../test/e2e/harness/vsix';
import { waitFor } from '../test/e2e/harness/util';
import { Workbench } from '../test/e2e/harness/workbench';
import { fmtMs, median } from './stats';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 7;

async function main(): Promise<void> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-palette-'));
  fs.mkdirSync(path.join(runDir, 'sandlot-home'));
  const agent = await startAgent({ home: path.join(runDir, 'sandlot-home') });
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  try {
    const pg = await startPlayground(agent, 'linux');
    const vsix = await packageVsix(runDir);
    server = await CodeServer.start({
      runDir,
      extensions: [vsix],
      env: { SANDLOT_HOME: agent.home },
      settings: { 'sandlot.cli.path': CLI, 'terminal.integrated.gpuAcceleration': 'off', 'terminal.integrated.defaultProfile.linux': 'bash' },
    });
    const shots = path.join(runDir, 'shots');
    fs.mkdirSync(shots);
    wb = await Workbench.open(server.url, path.join(runDir, 'chromium'), shots);
    const w = wb;
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
    console.log(`runs: ${RUNS}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`palette "Sandlot: Open Terminal" → machine prompt visible: median ${fmtMs(median(sandlot))} (first ${fmtMs(sandlot[0]!)}, all ${sandlot.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  baseline "Terminal: Create New Terminal" → local prompt: median ${fmtMs(median(local))} — ratio ${(median(sandlot) / median(local)).toFixed(2)}x`);
    await agent.client.destroy(pg.id);
  } finally {
    await wb?.close();
    await server?.stop();
    await agent.kill();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
