// Starting the local agent when a command needs one and none runs (`sandlot start` on a
// fresh machine): spawn `sandlot agent` detached, then wait until it answers.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { AgentClient } from '../api/client';
import { EXIT_AGENT_RUNNING, stateLockHolder } from '../server/state-lock';
import { sandlotPaths, type SandlotPaths } from '../util/paths';
import { CliError } from './errors';

/**
 * Waits for the local agent that is starting, or starts one in the background (`script
 * agent`). One that is starting answers `info` as soon as it listens; other requests wait
 * on the agent's side until it is ready. Of several CLIs starting one at the same moment,
 * one agent wins the state directory's lock and the others wait for it.
 */
export async function startLocalAgent(client: () => AgentClient, script: string, progress: (line: string) => void): Promise<AgentClient> {
  const paths = sandlotPaths();
  const holder = stateLockHolder(paths.home);
  if (holder) {
    progress(`waiting for the agent that is starting${holder.pid ? ` (pid ${holder.pid})` : ''}`);
    return waitForAgent(client, paths, () => (stateLockHolder(paths.home) ? undefined : `the agent stopped while starting: ${lastLines(paths.agentLog)}`));
  }
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const log = fs.openSync(paths.agentLog, 'a', 0o600);
  const child = spawn(process.execPath, [script, 'agent'], { detached: true, stdio: ['ignore', log, log], env: process.env });
  fs.closeSync(log);
  child.unref();
  progress(`started a local agent (pid ${child.pid}, log ${paths.agentLog})`);
  const exit: { code?: number } = {};
  child.once('exit', (code) => (exit.code = code ?? 1));
  return waitForAgent(client, paths, () => {
    if (exit.code === undefined || exit.code === EXIT_AGENT_RUNNING) return undefined; // 75: another CLI's agent won; it answers soon
    return `the agent exited (code ${exit.code}): ${lastLines(paths.agentLog)}`;
  });
}

/** Polls until the local agent answers; `stopped` says why waiting is pointless, or undefined to keep waiting. */
async function waitForAgent(client: () => AgentClient, paths: SandlotPaths, stopped: () => string | undefined): Promise<AgentClient> {
  // Generous: an agent listens within a second, but a loaded 2-core host can take longer.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const c = client();
      await c.info();
      return c;
    } catch {
      // not up yet
    }
    const why = stopped();
    if (why !== undefined) throw new CliError(why);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new CliError(`the agent did not come up within 60 s; see ${paths.agentLog}`);
}

function lastLines(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}
