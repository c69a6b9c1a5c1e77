// `sandlot content test` on the built-in content (builtin-content/): wall time with
// --jobs 1 against --jobs 4, the real CLI against one real agent (sandbox driver, and the
// docker driver on the tests' shared engine for the docker and zig built-ins), runs
// alternating between the two so that the host's load falls on both alike.
// Run: npm run build && npm run bench -- content-test-jobs [--runs N]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SuiteResult } from '../host-agent/content/testing/types';
import { parseOwnJson } from '../host-agent/util/json';
import { CLI, REPO, startAgent } from '../test/helpers/agent-process';
import { startTestEngine } from '../test/integration/host-agent/drivers/docker/helpers';
import { runBench, runsArg } from './harness';
import { median } from './stats';

const RUNS = runsArg(2);

function contentTest(home: string, jobs: number): Promise<{ ms: number; result: SuiteResult; stderr: string }> {
  const dirs = fs.readdirSync(path.join(REPO, 'builtin-content')).map((d) => path.join(REPO, 'builtin-content', d));
  const env: NodeJS.ProcessEnv = { ...process.env, SANDLOT_HOME: home };
  delete env.SANDLOT_AGENT_URL;
  delete env.SANDLOT_TOKEN;
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'content', 'test', ...dirs, '--jobs', String(jobs), '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', () => {
      try {
        resolve({ ms: performance.now() - started, result: parseOwnJson<SuiteResult>(stdout), stderr });
      } catch {
        reject(new Error(`content test --jobs ${jobs} printed no JSON:\n${stderr}`));
      }
    }),
  );
}

async function main() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-content-test-'));
  // The docker and zig built-ins run on the docker driver: the tests' shared engine (started
  // when it is not running, and left running: other suites share it).
  const engine = await startTestEngine();
  const agent = await startAgent({ home, args: ['--driver', 'sandbox'], env: { DOCKER_HOST: engine.dockerHost } });
  try {
    const times: Record<number, number[]> = { 1: [], 4: [] };
    for (let i = 0; i < RUNS * 2; i++) {
      const jobs = i % 2 === 0 ? 4 : 1;
      const r = await contentTest(home, jobs);
      times[jobs].push(r.ms);
      const passed = r.result.results.filter((x) => x.passed).length;
      console.log(
        `  --jobs ${jobs}: ${(r.ms / 1000).toFixed(1)} s, ${passed}/${r.result.results.length} passed${r.result.untestable.length ? `, ${r.result.untestable.length} untestable` : ''}`,
      );
      if (passed !== r.result.results.length) console.log(r.stderr.split('\n').slice(-15).join('\n'));
    }
    const s = (xs: number[]) => `median ${(median(xs) / 1000).toFixed(1)} s (${xs.map((x) => (x / 1000).toFixed(1)).join(', ')})`;
    console.log(`content test on builtin-content (${fs.readdirSync(path.join(REPO, 'builtin-content')).length} contents), sandbox driver:`);
    console.log(`  --jobs 1: ${s(times[1])}`);
    console.log(`  --jobs 4: ${s(times[4])}; ratio ${(median(times[1]) / median(times[4])).toFixed(2)}x`);
  } finally {
    for (const p of await agent.client.list().catch(() => [])) await agent.client.destroy(p.id).catch(() => undefined);
    await agent.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

runBench(main);
