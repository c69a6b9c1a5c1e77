// Playground panel in a real VS Code (code-server + Chromium, the e2e harness), linux
// playground on the sandbox driver: a process starts listening inside the machine (t0 =
// its port is bound, seen from inside) → the port's row shows in the panel's DOM. The
// panel polls /proc/net/tcp every 2.5 s while visible, so the expected median is about
// half that plus one probe. Baseline in the same run: one probe, i.e. `cat
// /proc/net/tcp /proc/net/tcp6` over a fresh SSH exec from the host. Each run listens on
// a new port, at a random moment relative to the poll.
//
//   npm run build && npm run bench -- playground-panel [--runs 9]
import { startPlayground } from '../test/helpers/agent-process';
import { sshRun } from '../test/e2e/harness/machine';
import { webviewFrameWith } from '../test/e2e/harness/workbench';
import { withWorkbench } from './workbench-session';
import { runBench, runsArg } from './harness';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = runsArg(9);

async function main(): Promise<void> {
  await withWorkbench('panel', {}, async (session) => {
    const { wb } = session;
    const client = session.agent.client;
    const pg = await startPlayground(session.agent, 'linux');
    await wb.runCommand('Sandlot: Show Playground');
    const doc = await webviewFrameWith(wb.page, '.playground-panel', 120_000);
    await doc.locator('.machine-card[data-machine="dev"] .ports-section :is(.ports, .ports-none)').waitFor({ state: 'visible', timeout: 120_000 });

    const shows: number[] = [];
    const probe: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const port = 9100 + i;
      await new Promise((r) => setTimeout(r, Math.random() * 2500));
      // The listener writes a file once bound and the command returns when it sees it (20 ms
      // steps), so t0 follows the bind by at most that and the exec's way back.
      const serve = `use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => ${port}, Listen => 5, ReuseAddr => 1) or die $!; open(my $f, ">", "/tmp/up-${port}"); print $f "up\\n"; close $f; sleep 600`;
      const row = doc.locator(`.machine-card[data-machine="dev"] .port[data-port="${port}"]`);
      const r = await sshRun(
        client,
        pg.id,
        'dev',
        `setsid perl -e '${serve}' </dev/null >/dev/null 2>&1 & for i in $(seq 500); do [ -s /tmp/up-${port} ] && break; sleep 0.02; done; cat /tmp/up-${port}`,
      );
      const t0 = performance.now();
      if (r.stdout.trim() !== 'up') throw new Error(`listener on ${port} did not start: ${r.stderr}`);
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      shows.push(performance.now() - t0);
      const p0 = performance.now();
      await sshRun(client, pg.id, 'dev', 'cat /proc/net/tcp /proc/net/tcp6');
      probe.push(performance.now() - p0);
    }
    await sshRun(client, pg.id, 'dev', 'pkill -f IO::Socket::INET || true');
    const s = median(shows);
    const p = median(probe);
    console.log(`runs: ${RUNS}, load average ${loadAverage()}, panel polls every 2.5 s`);
    console.log(
      `port bound in the machine → its row in the playground panel: median ${fmtMs(s)} (min ${fmtMs(Math.min(...shows))}, max ${fmtMs(Math.max(...shows))})`,
    );
    console.log(`  baseline, one probe (SSH connect + exec of the /proc read) from the host: median ${fmtMs(p)} — ratio ${(s / p).toFixed(1)}x`);
  });
}

runBench(main);
