// microvm driver figures, with the sandbox (and, with --docker, the docker) driver
// measured in the same run for comparison:
//   - cold boot → shell: `create` of a 1-machine playground with snapshots off, until one
//     SSH command through `connect()` has run;
//   - snapshot clone → shell: the same with the image's snapshot present;
//   - RSS per idle machine, 10 s after start (the driver's memoryUsage: QEMU's RSS for a
//     VM, the machine's process tree for sandbox, the container's for docker).
//
//   npm run bench -- microvm-start [--runs 5] [--cold-runs 3] [--docker] [--mem 512Mi]
//
// Images: the shared test cache ($SANDLOT_VM_CACHE or <tmp>/sandlot-vm-cache), built if
// missing (that build and the first snapshot are reported, not counted).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Driver, DriverContext } from '../host-agent/drivers/protocol';
import { MicrovmDriver } from '../host-agent/drivers/microvm/driver';
import { SandboxDriver } from '../host-agent/drivers/sandbox/driver';
import { makePlayground, manifestFrom, sshExec } from '../test/integration/host-agent/drivers/docker/helpers';
import { VM_CACHE } from '../test/integration/host-agent/drivers/microvm/helpers';
import { MiB, fmtMs, median } from './stats';

const args = process.argv.slice(2);
function opt(name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}
const RUNS = Number(opt('--runs', '5'));
const COLD_RUNS = Number(opt('--cold-runs', '3'));
const MEM = opt('--mem', '512Mi');
const IDLE_MS = 10_000;

const quiet: DriverContext = { progress: () => {}, log: () => {} };

interface Figures {
  startMs: number[];
  rss: number[];
}

function manifest(driver: string) {
  return manifestFrom(
    `kind: playground\nname: bench\nplayground:\n  driver: ${driver}\n  machines:\n    - name: dev\n      resources: { cpuCount: 1, ramSize: ${MEM} }\n`,
  );
}

/** create → first SSH command, then (on the first run) RSS after IDLE_MS; always destroyed. */
async function measure(driver: Driver, name: string, root: string, runs: number, label: string): Promise<Figures> {
  const out: Figures = { startMs: [], rss: [] };
  for (let i = 0; i < runs; i++) {
    const pg = makePlayground(manifest(name), root);
    const t0 = performance.now();
    try {
      await driver.create(pg.spec, quiet);
      const r = await sshExec(driver, pg, 'dev', 'root', 'true');
      if (r.code !== 0) throw new Error(`ssh exit ${r.code}: ${r.stderr}`);
      const ms = performance.now() - t0;
      out.startMs.push(ms);
      let rssNote = '';
      if (i === 0) {
        await new Promise((r) => setTimeout(r, IDLE_MS));
        const rss = (await driver.memoryUsage?.(pg.spec))?.dev;
        if (rss) {
          out.rss.push(rss);
          rssNote = `, idle RSS ${(rss / MiB).toFixed(1)} MiB`;
        }
      }
      console.log(`  ${label} run ${i + 1}: ${fmtMs(ms)}${rssNote} (load ${os.loadavg()[0].toFixed(1)})`);
    } finally {
      await driver.destroy(pg.spec, quiet);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const keepAlive = setInterval(() => {}, 1000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-vm-'));
  const rows: string[][] = [];
  const row = (what: string, f: Figures, base?: number) => {
    const m = median(f.startMs);
    rows.push([
      what,
      `${fmtMs(m)} (min ${fmtMs(Math.min(...f.startMs))}, max ${fmtMs(Math.max(...f.startMs))}; ${f.startMs.length} runs)`,
      f.rss.length ? `${(median(f.rss) / MiB).toFixed(1)} MiB` : '-',
      base ? `${(m / base).toFixed(1)}×` : '1×',
    ]);
    return m;
  };
  try {
    console.log(
      `machine: ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; guest memory ${MEM}`,
    );

    const sandbox = new SandboxDriver({ playgroundsDir: root });
    await sandbox.preflight();
    console.log('sandbox:');
    const sb = await measure(sandbox, 'sandbox', root, RUNS, 'sandbox');
    await sandbox.close();
    const base = row('sandbox: create → shell (baseline)', sb);

    if (args.includes('--docker')) {
      const { startTestEngine } = await import('../test/integration/host-agent/drivers/docker/helpers');
      const { DockerDriver } = await import('../host-agent/drivers/docker/driver');
      const engine = await startTestEngine();
      const docker = new DockerDriver({ stateHome: root, dockerHost: engine.dockerHost });
      await docker.preflight();
      console.log('docker:');
      try {
        await docker.images.ensure('linux', (_i, m) => console.log(`  image: ${m}`));
        await docker.images.ensure('registry', (_i, m) => console.log(`  image: ${m}`));
        row('docker: create → shell', await measure(docker, 'docker', root, RUNS, 'docker'), base);
      } finally {
        await docker.close();
        await engine.stop();
      }
    }

    const vm = new MicrovmDriver({ stateHome: root, cacheDir: VM_CACHE, snapshots: true });
    await vm.preflight();
    const accel = await vm.accel();
    console.log(`microvm (${accel.accel}: ${accel.detail})`);
    let t = performance.now();
    await vm.images.ensure('linux', (_i, m) => console.log(`  image: ${m}`));
    console.log(`  image ready in ${fmtMs(performance.now() - t)} (0 if cached)`);
    // The first clone run makes the snapshot when it is missing: warm it outside the figures.
    t = performance.now();
    await measure(vm, 'microvm', root, 1, 'snapshot warm-up (makes the snapshot if missing)');
    console.log(`  warm-up ${fmtMs(performance.now() - t)}`);
    const clone = await measure(vm, 'microvm', root, RUNS, 'clone');
    await vm.close();
    const coldDriver = new MicrovmDriver({ stateHome: root, cacheDir: VM_CACHE, snapshots: false });
    const cold = await measure(coldDriver, 'microvm', root, COLD_RUNS, 'cold');
    await coldDriver.close();
    row(`microvm (${accel.accel}): snapshot clone → shell`, clone, base);
    row(`microvm (${accel.accel}): cold boot → shell`, cold, base);

    console.log('\n| what | start → shell, median | idle RSS per machine | vs sandbox |\n|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(
      `\nload average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    clearInterval(keepAlive);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
