// Terminal keystroke echo latency through the tunnel: the path a Sandlot Pseudoterminal
// takes (ssh2 shell channel with a PTY, agent WebSocket tunnel, the machine's shell
// echoing). Median of many single keystrokes. Baseline in the same run: one SFTP round
// trip (stat) on the same connection, the floor for any request through the tunnel.
//
//   npm run build && npm run bench -- extension-terminal [--runs 50]
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { runBench, runsArg, withLinuxMachine } from './harness';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = runsArg(50);

async function main(): Promise<void> {
  await withLinuxMachine('extterm', async ({ ssh }) => {
    const shell = await new Promise<ClientChannel>((resolve, reject) =>
      ssh.shell({ term: 'xterm-256color', cols: 120, rows: 30 }, (err, ch) => (err ? reject(err) : resolve(ch))),
    );
    let out = '';
    const waiters: (() => void)[] = [];
    shell.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      for (const w of waiters.splice(0)) w();
    });
    const until = (pred: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out; output so far: ${JSON.stringify(out.slice(-200))}`)), 10_000);
        const check = () => (pred() ? (clearTimeout(t), resolve()) : waiters.push(check));
        check();
      });
    await until(() => /[#$] $/.test(out));

    const echo: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      const before = out.length;
      const t = process.hrtime.bigint();
      shell.write(ch);
      await until(() => out.slice(before).includes(ch));
      echo.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (i % 20 === 19) shell.write('\x15'); // Ctrl-U: keep the line short
    }
    shell.write('\x15exit\n');

    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => ssh.sftp((err, s) => (err ? reject(err) : resolve(s))));
    const rtt: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      await new Promise((resolve, reject) => sftp.stat('/root', (err, s) => (err ? reject(err) : resolve(s))));
      rtt.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const e = median(echo);
    const r = median(rtt);
    console.log(`runs: ${RUNS}, load average ${loadAverage()}`);
    console.log(`keystroke → echo through the tunnel: median ${fmtMs(e)} (min ${fmtMs(Math.min(...echo))}, max ${fmtMs(Math.max(...echo))})`);
    console.log(`  baseline one SFTP round trip:      median ${fmtMs(r)} — echo = ${(e / r).toFixed(1)}x a bare round trip`);
  });
}

runBench(main);
