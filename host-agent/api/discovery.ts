// Finds the agent to talk to: explicit URL + token (flags or SANDLOT_AGENT_URL and
// SANDLOT_TOKEN), else the local agent's own files in $SANDLOT_HOME.
import * as fs from 'node:fs';
import { sandlotPaths } from '../util/paths';
import { readAgentFile } from './agent-file';
import type { AgentEndpoint } from './client';

export class NoAgentConfiguredError extends Error {}

export function discoverAgent(opts: { url?: string; token?: string; env?: NodeJS.ProcessEnv } = {}): AgentEndpoint {
  const env = opts.env ?? process.env;
  const paths = sandlotPaths();
  const url = opts.url ?? env.SANDLOT_AGENT_URL;
  let token = opts.token ?? env.SANDLOT_TOKEN;
  if (!token) {
    try {
      token = fs.readFileSync(paths.token, 'utf8').trim();
    } catch {
      // handled below
    }
  }
  if (url) {
    if (!token) throw new NoAgentConfiguredError(`no token for ${url}: set SANDLOT_TOKEN (the agent keeps it in its $SANDLOT_HOME/token)`);
    return { url, token };
  }
  const info = readAgentFile(paths.agentInfo);
  if (!info) throw new NoAgentConfiguredError(`no local agent is running (no ${paths.agentInfo}); start one with: sandlot agent`);
  if (!token) throw new NoAgentConfiguredError(`cannot read the agent token ${paths.token}`);
  return { url: info.url, token };
}
