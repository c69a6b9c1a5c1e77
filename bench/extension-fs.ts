// sandlot:// file system figures, through the same code the FileSystemProvider runs
// (extension/remote/sftp-io.ts over an ssh2 SFTP channel through the agent tunnel, with
// connectMachine as the extension uses it): readFile of 1 MiB and readDirectory of a
// 1,000-entry folder, medians. Baselines in the same run: ssh2's own sftp.readFile (one
// request at a time) and one SFTP round trip (stat), the floor for any request.
//
//   npm run build && npm run bench -- extension-fs [--runs 15]
import type { SFTPWrapper } from 'ssh2';
import { listDirectory, readAll } from '../extension/remote/sftp-io';
import { runBench, runsArg, withLinuxMachine } from './harness';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = runsArg(15);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main(): Promise<void> {
  await withLinuxMachine('extfs', async ({ ssh, run }) => {
    await run(
      'head -c 1048576 /dev/urandom > /root/one-mib.bin && mkdir -p /root/d1000 && cd /root/d1000 && i=0; while [ $i -lt 1000 ]; do : > f$i; i=$((i+1)); done',
    );
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => ssh.sftp((err, s) => (err ? reject(err) : resolve(s))));

    const read: number[] = [];
    const readBase: number[] = [];
    const list: number[] = [];
    const rtt: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate so that load changes hit both sides alike.
      read.push(
        await time(async () => {
          const b = await readAll(sftp, '/root/one-mib.bin');
          if (b.byteLength !== 1048576) throw new Error(`read ${b.byteLength} bytes`);
        }),
      );
      readBase.push(await time(() => new Promise((resolve, reject) => sftp.readFile('/root/one-mib.bin', (err, b) => (err ? reject(err) : resolve(b))))));
      list.push(
        await time(async () => {
          const entries = await listDirectory(sftp, '/root/d1000');
          if (entries.length !== 1000) throw new Error(`listed ${entries.length}`);
        }),
      );
      rtt.push(await time(() => new Promise((resolve, reject) => sftp.stat('/root', (err, s) => (err ? reject(err) : resolve(s))))));
    }
    const r = median(read);
    const rb = median(readBase);
    const l = median(list);
    const t = median(rtt);
    console.log(`runs: ${RUNS}, load average ${loadAverage()}`);
    console.log(
      `readFile 1 MiB (sftp-io, 16 × 64 KiB in flight): median ${fmtMs(r)} (min ${fmtMs(Math.min(...read))}, max ${fmtMs(Math.max(...read))}) — goal < 50 ms`,
    );
    console.log(`  baseline ssh2 sftp.readFile:                    median ${fmtMs(rb)} — ratio ${(rb / r).toFixed(1)}x slower`);
    console.log(
      `readDirectory 1,000 entries:                      median ${fmtMs(l)} (min ${fmtMs(Math.min(...list))}, max ${fmtMs(Math.max(...list))}) — goal < 100 ms`,
    );
    console.log(`  baseline one SFTP round trip (stat):            median ${fmtMs(t)} — readDirectory = ${(l / t).toFixed(1)} round trips`);
  });
}

runBench(main);
