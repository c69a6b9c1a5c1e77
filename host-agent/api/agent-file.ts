// `$SANDLOT_HOME/agent.json`: where a running local agent listens, and its pid. The agent
// writes it once it listens and removes it when it stops; the CLI and the extension read
// it to find the agent. Reading it needs nothing but node:fs (every CLI command and
// ssh-proxy read it); the agent writes agentFileText atomically (server/run.ts).
import * as fs from 'node:fs';

export interface AgentFile {
  url: string;
  pid: number;
}

/** The file's content, or undefined when there is none or it is not an agent file. */
export function readAgentFile(file: string): AgentFile | undefined {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || !('url' in data) || !('pid' in data)) return undefined;
  const { url, pid } = data;
  return typeof url === 'string' && typeof pid === 'number' ? { url, pid } : undefined;
}

/** What the agent writes into the file. */
export function agentFileText(info: AgentFile): string {
  return JSON.stringify(info, null, 2);
}

/** Removes the file if it is still this process's (a newer agent may have replaced it). */
export function removeAgentFile(file: string, pid = process.pid): void {
  if (readAgentFile(file)?.pid === pid) fs.rmSync(file, { force: true });
}
