// The CLI's own cost and `sandlot run` end to end (issue 18), each against a baseline
// measured in the same run, interleaved run by run (RUNS pairs, medians):
//   - `sandlot --version`, `sandlot list` vs `node -e 0` (Node's floor);
//   - the lean ssh-proxy to the first byte of the machine's SSH banner vs `node -e 0`;
//   - `ssh -F <sandlot ssh-config> host true` vs the same over an already-open connection (ControlMaster);
//   - `sandlot run linux -- hostname` vs `docker run --rm <the linux template's image> hostname`
//     on the tests' dockerd (skipped when there is none, or SKIP_DOCKER=1).
// With BEFORE=<another built checkout> (e.g. main in a temp clone), that checkout's `--version`,
// `list`, ssh-proxy and `run` run in the same loop against the same agent, so the CLI's own cost
// is compared run by run (the agent, this checkout's, serves both: it still serves the WebSocket
// `run` route an older CLI uses).
// Run: npm run build && npm run bench -- cli-run   (RUNS=9, BEFORE=…, SKIP_RUN=1 leaves out `sandlot run`)
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostAlias } from '../host-agent/api/protocol';
import { CLI, startAgent, startPlayground, writeSshConfig } from '../test/helpers/agent-process';
import { runBench } from './harness';
import { fmtMs, loadAverage, median } from './stats';
import { DockerDriver } from '../host-agent/drivers/docker/driver';
import { startTestEngine } from '../test/integration/host-agent/drivers/docker/helpers';

const RUNS = Number(process.env.RUNS ?? 9);

function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const BEFORE_CLI = process.env.BEFORE ? path.resolve(process.env.BEFORE, 'dist', 'sandlot.js') : undefined;

/** Milliseconds from spawning ssh-proxy to the first byte it passes on (the machine's SSH banner). */
function proxyFirstByte(alias: string, env: NodeJS.ProcessEnv, cli = CLI): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(path.dirname(cli), 'sandlot-ssh-proxy.js'), alias], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.once('data', (d: Buffer) => {
      const ms = performance.now() - t0;
      child.kill();
      if (!d.toString().startsWith('SSH-')) reject(new Error(`not an SSH banner: ${d.toString().slice(0, 40)}`));
      else resolve(ms);
    });
    child.once('exit', (code) => (code ? reject(new Error(`ssh-proxy exited ${code}`)) : undefined));
  });
}

/**
 * The docker baseline's engine and image: the tests' own dockerd (started if it is not
 * running) and the `linux` template's image as the docker driver builds it (built if this
 * recipe's is missing), so `sandlot run linux` and `docker run` start the same rootfs.
 */
async function dockerImage(): Promise<{ host: string; image: string } | undefined> {
  if (process.env.SKIP_DOCKER) return undefined;
  const engine = await startTestEngine();
  const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-images-'));
  try {
    const images = new DockerDriver({ stateHome, dockerHost: engine.dockerHost }).images;
    const tag = await images.ensure('linux', (m) => console.log(`  docker image linux: ${m}`));
    return { host: engine.dockerHost, image: tag };
  } finally {
    fs.rmSync(stateHome, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`${new Date().toISOString()}, Node ${process.version}, load ${loadAverage()}, ${RUNS} runs`);
  const agent = await startAgent();
  const env = agent.env;
  const figures = new Map<string, number[]>();
  const add = (label: string, ms: number) => figures.set(label, [...(figures.get(label) ?? []), ms]);
  const control = path.join(agent.home, 'cm-%C');
  try {
    const pg = await startPlayground(agent, 'linux');
    const config = writeSshConfig(agent, pg.id);
    const alias = hostAlias(pg.id, pg.machines[0].name);
    const ssh = (extra: string[]) => timed('ssh', ['-F', config, '-o', 'BatchMode=yes', ...extra, alias, 'true']);
    spawnSync('ssh', [
      '-F',
      config,
      '-o',
      'BatchMode=yes',
      '-o',
      'ControlMaster=yes',
      '-o',
      `ControlPath=${control}`,
      '-o',
      'ControlPersist=300',
      '-fN',
      alias,
    ]);
    const docker = await dockerImage();
    console.log(docker ? `docker baseline: docker run --rm --network none --entrypoint hostname ${docker.image}` : 'docker baseline skipped (SKIP_DOCKER)');
    for (let i = -1; i < RUNS; i++) {
      const keep = i >= 0;
      const m = (label: string, ms: number) => keep && add(label, ms);
      m('node -e 0', timed(process.execPath, ['-e', '0']));
      // This checkout and BEFORE's take turns going first (a slot's position in the loop shows in its figures).
      const pair = async (label: string, run: (cli: string) => number | Promise<number>) => {
        const order = BEFORE_CLI ? (i % 2 ? [BEFORE_CLI, CLI] : [CLI, BEFORE_CLI]) : [CLI];
        for (const cli of order) m(cli === CLI ? label : `before: ${label}`, await run(cli));
      };
      await pair('sandlot --version', (cli) => timed(process.execPath, [cli, '--version'], env));
      await pair('sandlot list', (cli) => timed(process.execPath, [cli, 'list'], env));
      await pair('ssh-proxy → SSH banner', (cli) => proxyFirstByte(alias, env, cli));
      m('ssh -F <ssh-config> host true', ssh([]));
      m('ssh host true over an open connection (ControlMaster)', ssh(['-o', `ControlPath=${control}`]));
      if (!process.env.SKIP_RUN) await pair('sandlot run linux -- hostname', (cli) => timed(process.execPath, [cli, 'run', 'linux', '--', 'hostname'], env));
      if (docker && !process.env.SKIP_RUN)
        m(
          'docker run --rm <linux image> hostname',
          timed('docker', ['-H', docker.host, 'run', '--rm', '--network', 'none', '--entrypoint', 'hostname', docker.image]),
        );
    }
    const med = (label: string) => median(figures.get(label) ?? [NaN]);
    const floor = med('node -e 0');
    console.log(`\n| what | median | ratio |\n|---|---|---|`);
    const row = (label: string, base: string) => console.log(`| ${label} | ${fmtMs(med(label))} | ${(med(label) / med(base)).toFixed(2)}× ${base} |`);
    console.log(`| node -e 0 | ${fmtMs(floor)} | 1.00× |`);
    for (const what of ['sandlot --version', 'sandlot list', 'ssh-proxy → SSH banner']) {
      row(what, 'node -e 0');
      if (!BEFORE_CLI) continue;
      row(`before: ${what}`, 'node -e 0');
      // The pair's own ratio, run by run: steadier than a ratio of medians on a loaded host.
      const after = figures.get(what) ?? [];
      const before = figures.get(`before: ${what}`) ?? [];
      console.log(`| ${what}: this checkout / before, median of per-run ratios | | ${median(after.map((ms, k) => ms / before[k])).toFixed(2)}× |`);
    }
    row('ssh host true over an open connection (ControlMaster)', 'ssh host true over an open connection (ControlMaster)');
    row('ssh -F <ssh-config> host true', 'ssh host true over an open connection (ControlMaster)');
    if (!process.env.SKIP_RUN) {
      const run = 'sandlot run linux -- hostname';
      const dockerRun = 'docker run --rm <linux image> hostname';
      const base = docker ? dockerRun : 'node -e 0';
      if (docker) row(dockerRun, dockerRun);
      row(run, base);
      if (BEFORE_CLI) row(`before: ${run}`, base);
      // Per-run ratios (each run's pair measured back to back): steadier than a ratio of medians on a loaded host.
      const perRun = (a: string, b: string) => {
        const bs = figures.get(b) ?? [];
        return median((figures.get(a) ?? []).map((ms, k) => ms / bs[k])).toFixed(2);
      };
      if (docker) console.log(`| ${run} / ${dockerRun}, median of per-run ratios | | ${perRun(run, dockerRun)}× |`);
      if (docker && BEFORE_CLI) console.log(`| before: ${run} / ${dockerRun}, median of per-run ratios | | ${perRun(`before: ${run}`, dockerRun)}× |`);
      if (BEFORE_CLI) console.log(`| ${run}: this checkout / before, median of per-run ratios | | ${perRun(run, `before: ${run}`)}× |`);
    }
    console.log(`\nload at the end: ${loadAverage()}`);
    spawnSync('ssh', ['-F', config, '-o', `ControlPath=${control}`, '-O', 'exit', alias], { stdio: 'ignore' });
    await agent.client.destroy(pg.id);
  } finally {
    await agent.kill();
  }
}

// Exits when done: a dockerd the run started (the tests' shared one) stays up, and must not hold the bench.
runBench(main);
