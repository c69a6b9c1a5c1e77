// Keystroke echo in a playground terminal while the agent parses a maximal content file.
// The sandbox driver's SSH server runs inside the agent, so every keystroke of every
// playground crosses the agent's event loop: before content moved to the reader worker,
// parsing one large file stalled all of them for its whole duration. Here a shell on the
// `dev` machine of a linux playground (ssh2, a pty, through the agent's tunnel) gets one
// key at a time and the time until the key comes back (the pty's echo) is recorded:
//   baseline:  no content being read;
//   realistic: a 254 KiB tutorial (the markdown cap is 256 KiB) read over and over;
//   pathological: 254 KiB of emphasis markers, micromark's slowest input, over and over.
// The content names a template that does not exist, so each read ends in a 400 after the
// full parse and no playground is made. Goal: echo under 10 ms while content is parsed.
//
//   npm run build && npm run bench -- content-parse-echo [--runs 300]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClientChannel } from 'ssh2';
import type { AgentHandle } from '../test/helpers/agent-process';
import { runBench, runsArg, withLinuxMachine } from './harness';
import { fmtMs, loadAverage, median } from './stats';

const KEYS = runsArg(300);
const GAP_MS = 20;

function realistic(bytes: number): string {
  let out = '';
  for (let i = 1; out.length < bytes; i++) {
    out +=
      `## Step ${i}\n\nRun the **command** below and look at \`/var/log/syslog\`; see https://example.com/docs/${i} for more.\n` +
      `It prints _one line_ per event, which [the manual](https://example.com/man) explains.\n\n` +
      '```sh\ntail -n 20 /var/log/syslog | grep -c error\n```\n\n- first point\n- second point with `code`\n\n';
  }
  return out.slice(0, bytes);
}

function pathological(bytes: number): string {
  let out = '';
  while (out.length < bytes) out += `${'a_b c~d *e* **f** '.repeat(1500)}\n\n`;
  return out.slice(0, bytes);
}

function writeContent(root: string, name: string, body: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.md'), `---\nkind: tutorial\ntitle: ${name}\nplayground: { name: no-such-template }\n---\n${body}`);
  return dir;
}

/** A login shell on a pty; `key()` types one character and resolves when it is echoed. */
async function terminal(ssh: import('ssh2').Client): Promise<{ key(): Promise<number>; close(): void }> {
  const ch = await new Promise<ClientChannel>((resolve, reject) =>
    ssh.shell({ term: 'dumb', rows: 24, cols: 200 }, (err, c) => (err ? reject(err) : resolve(c))),
  );
  let buf = '';
  let waiter: (() => void) | undefined;
  ch.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    waiter?.();
  });
  ch.stderr.resume();
  // Let the prompt arrive, then start from an empty buffer.
  await new Promise((r) => setTimeout(r, 1000));
  let typed = 0;
  return {
    async key(): Promise<number> {
      if (++typed % 50 === 0) {
        ch.write('\x15'); // Ctrl-U: keep the line short
        await new Promise((r) => setTimeout(r, 50));
      }
      buf = '';
      const t0 = performance.now();
      const echoed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no echo within 10 s')), 10_000);
        waiter = () => {
          if (buf.includes('q')) {
            clearTimeout(timer);
            waiter = undefined;
            resolve();
          }
        };
      });
      ch.write('q');
      await echoed;
      return performance.now() - t0;
    },
    close: () => ch.close(),
  };
}

/** Reads `dir` through the agent again and again until `stop()`; counts completed reads. */
function readLoop(agent: AgentHandle, dir: string): { stop(): Promise<{ reads: number; stopped: number; msEach: number[] }> } {
  let running = true;
  let stopped = 0;
  const msEach: number[] = [];
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const err = await agent.client.startContent({ source: dir }).then(
        () => new Error('a playground was started, which the bench did not want'),
        // Parsed to the end (then refused for its template) or stopped by the reader's limits.
        (e: Error) => {
          if (/so it was stopped/.test(e.message)) stopped++;
          return /unknown template "no-such-template"|so it was stopped/.test(e.message) ? undefined : e;
        },
      );
      if (err) throw err;
      msEach.push(performance.now() - t);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { reads: msEach.length, stopped, msEach };
    },
  };
}

function describe(name: string, rtts: number[]): string {
  const s = [...rtts].sort((a, b) => a - b);
  const p99 = s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
  return `${name.padEnd(34)} median ${fmtMs(median(s))}, p99 ${fmtMs(p99)}, max ${fmtMs(s.at(-1)!)} (${s.length} keys)`;
}

async function sample(term: { key(): Promise<number> }): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    out.push(await term.key());
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  return out;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-parse-echo-'));
  try {
    const maximal = writeContent(root, 'realistic', realistic(254 * 1024));
    const worst = writeContent(root, 'pathological', pathological(254 * 1024));
    await withLinuxMachine('parse-echo', async ({ agent, ssh }) => {
      const term = await terminal(ssh);
      try {
        await sample(term); // warm up: first keys pay for JIT and buffers
        const base = await sample(term);
        const r1 = readLoop(agent, maximal);
        const during = await sample(term);
        const reads1 = await r1.stop();
        const r2 = readLoop(agent, worst);
        const duringWorst = await sample(term);
        const reads2 = await r2.stop();
        console.log(`keys per phase: ${KEYS}, ${GAP_MS} ms apart; load average ${loadAverage()}`);
        console.log(describe('echo, baseline (no content read)', base));
        console.log(`${describe('echo, realistic 254 KiB read', during)} — ratio ${(median(during) / median(base)).toFixed(2)}x`);
        console.log(`  reads meanwhile: ${reads1.reads} (${reads1.stopped} stopped by the reader's limits), median ${fmtMs(median(reads1.msEach))} each`);
        console.log(`${describe('echo, pathological 254 KiB read', duringWorst)} — ratio ${(median(duringWorst) / median(base)).toFixed(2)}x`);
        console.log(`  reads meanwhile: ${reads2.reads} (${reads2.stopped} stopped by the reader's limits), median ${fmtMs(median(reads2.msEach))} each`);
      } finally {
        term.close();
      }
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

runBench(main);
