// "Start Local Agent": runs `sandlot agent` in the background, detached so it outlives
// this window, its output appended to the agent's own log file (which the Sandlot log
// then shows while it starts).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXIT_AGENT_RUNNING } from '../../host-agent/server/state-lock';
import { sandlotPaths } from '../../host-agent/util/paths';
import type { AgentConnection } from './connection';
import { findCli } from './cli';

export async function startLocalAgent(agent: AgentConnection, extensionPath: string, log: vscode.LogOutputChannel): Promise<void> {
  const cli = findCli(extensionPath);
  const paths = sandlotPaths();
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const logFile = paths.agentLog;
  const startOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const out = fs.openSync(logFile, 'a');
  const [cmd, ...pre] = cli.node;
  const args = [...pre, cli.script, 'agent'];
  log.info(`starting the local agent: ${cmd} ${args.join(' ')} (log: ${logFile})`);
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], env: process.env });
  fs.closeSync(out);
  child.unref();
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));

  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Starting the Sandlot agent' }, async () => {
    const deadline = Date.now() + 60_000;
    let shown = startOffset;
    while (Date.now() < deadline) {
      // Mirror what the agent writes into our log while we wait.
      try {
        const text = fs.readFileSync(logFile, 'utf8').slice(shown);
        shown += Buffer.byteLength(text);
        for (const line of text.split('\n').filter(Boolean)) log.info(`agent: ${line}`);
      } catch {
        // not yet
      }
      await agent.reconnect();
      if (agent.state.kind === 'connected') return;
      // 75: another agent (started by a CLI or another window) holds the state directory; it answers soon.
      if (exited !== undefined && exited !== EXIT_AGENT_RUNNING) throw new Error(`the agent exited with code ${exited}; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the agent did not answer within 60 s; see ${logFile}`);
  });
}
