// Condition satisfied in the machine → step green in the tutorial webview, end to end in
// a real VS Code (code-server + Chromium, the e2e harness) with the built-in Linux
// challenge on the sandbox driver: t0 is when the learner's `mkdir` is sent over SSH; we
// time the agent's `completed` task event (baseline, measured in the same run on the
// same change) and the step's `data-status="completed"` in the webview DOM. Between
// runs the directory is removed and the content restarted, and each run waits a random
// 1–2 s so that the change lands at every phase of the one-second check loop. Runs
// alternate between the check loop alone and a nudge right after the change (POST
// …/machines/dev/changed, what the extension sends when a terminal's prompt returns).
//
//   npm run build && npm run bench -- tutorial-webview [--runs 9]
import type { PlaygroundEvent } from '../host-agent/api/protocol';
import { connectMachine } from '../host-agent/ssh/connect';
import { tutorialFrame } from '../test/e2e/harness/workbench';
import { withWorkbench } from './workbench-session';
import { runBench, runsArg, sshExec } from './harness';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = runsArg(9);
const TASK = 'verify_backup_dir';

async function main(): Promise<void> {
  await withWorkbench('tutorial', {}, async (session) => {
    const { wb } = session;
    const client = session.agent.client;
    await wb.runCommand('Sandlot: Open Tutorial…');
    await wb.pick('Linux Basics');
    const doc = tutorialFrame(wb.page);
    const ready = async () => {
      await doc.locator('.tutorial-state.state-ready').waitFor({ state: 'visible', timeout: 120_000 });
      await doc.locator(`.task[data-task="${TASK}"]:not([data-status="completed"])`).waitFor({ state: 'visible', timeout: 120_000 });
    };
    await ready();
    const [pg] = await client.list();
    if (!pg) throw new Error('the tutorial started no playground');
    const ssh = await connectMachine(client, await client.get(pg.id), 'dev');

    const times = { loop: { toEvent: [] as number[], toDom: [] as number[] }, nudge: { toEvent: [] as number[], toDom: [] as number[] } };
    for (let i = 0; i < RUNS * 2; i++) {
      const mode = i % 2 === 0 ? 'loop' : 'nudge';
      const { toEvent, toDom } = times[mode];
      await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1000));
      let stop: (() => void) | undefined;
      const event = new Promise<number>((resolve) => {
        void client
          .events(pg.id, (e: PlaygroundEvent) =>
            e.type === 'task' && e.task.name === TASK && e.task.status === 'completed' ? resolve(performance.now()) : undefined,
          )
          .then((s) => (stop = s));
      });
      await new Promise((r) => setTimeout(r, 100)); // subscribed before the change
      const dom = doc
        .locator(`.task[data-task="${TASK}"][data-status="completed"]`)
        .waitFor({ state: 'visible', timeout: 60_000 })
        .then(() => performance.now());
      const t0 = performance.now();
      await sshExec(ssh, 'mkdir -p /root/backup');
      if (mode === 'nudge') await client.machineChanged(pg.id, 'dev', { reason: 'bench' });
      const [te, td] = await Promise.all([event, dom]);
      toEvent.push(te - t0);
      toDom.push(td - t0);
      stop?.();
      await sshExec(ssh, 'rm -rf /root/backup');
      await client.contentAction(pg.id, 'restart');
      await ready();
    }
    ssh.end();
    console.log(`runs: ${RUNS} per mode, load average ${loadAverage()}, checks every 1000 ms`);
    for (const mode of ['loop', 'nudge'] as const) {
      const { toEvent, toDom } = times[mode];
      const e = median(toEvent);
      const d = median(toDom);
      console.log(
        `${mode === 'loop' ? 'check loop only' : 'with a nudge'}: condition → step green in the webview DOM: median ${fmtMs(d)} (min ${fmtMs(Math.min(...toDom))}, max ${fmtMs(Math.max(...toDom))})`,
      );
      console.log(`  condition → agent's completed event: median ${fmtMs(e)} — the webview adds ${fmtMs(d - e)}`);
    }
    console.log(`nudge vs loop, to the webview: ${(median(times.loop.toDom) / median(times.nudge.toDom)).toFixed(1)}x faster`);
  });
}

runBench(main);
