// What the benchmarks that measure through a live playground share: the `--runs N`
// argument, a real agent with one running linux playground and an SSH connection to its
// `dev` machine (torn down afterwards), and the exit status of the whole run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from 'ssh2';
import type { PlaygroundRecord } from '../host-agent/api/protocol';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent, startPlayground, type AgentHandle } from '../test/helpers/agent-process';

/** `--runs N` from the command line, or `fallback`; anything but a positive integer is refused. */
export function runsArg(fallback: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf('--runs');
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--runs: expected a positive whole number, got ${JSON.stringify(args[i + 1] ?? '')}`);
    process.exit(2);
  }
  return n;
}

export interface LinuxMachine {
  agent: AgentHandle;
  pg: PlaygroundRecord;
  ssh: Client;
  /** Runs a command over `ssh`; rejects on a non-zero exit. */
  run: (command: string) => Promise<void>;
}

/** Runs `fn` against a fresh agent (own home under the temp dir) with one linux playground. */
export async function withLinuxMachine(name: string, fn: (m: LinuxMachine) => Promise<void>): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `sandlot-bench-${name}-`));
  const agent = await startAgent({ home });
  try {
    const pg = await startPlayground(agent, 'linux');
    try {
      const ssh = await connectMachine(agent.client, pg, 'dev');
      try {
        await fn({ agent, pg, ssh, run: (command) => sshExec(ssh, command) });
      } finally {
        ssh.end();
      }
    } finally {
      // Also when the bench failed: killing the agent leaves its machines running.
      await agent.client.destroy(pg.id);
    }
  } finally {
    await agent.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

export function sshExec(ssh: Client, command: string): Promise<void> {
  return new Promise((resolve, reject) =>
    ssh.exec(command, (err, ch) => {
      if (err) return reject(err);
      ch.stderr.resume();
      ch.on('close', (code: number) => (code === 0 ? resolve() : reject(new Error(`${command}: exit ${code}`)))).resume();
    }),
  );
}

/** Exits 0 when `main` resolves; prints the error and exits 1 when it throws. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
