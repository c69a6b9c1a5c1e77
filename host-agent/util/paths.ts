// Where the agent and the CLI keep things. One variable, SANDLOT_HOME, relocates all of
// it (tests and benchmarks use it to stay isolated from the user's own agent).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function sandlotHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SANDLOT_HOME) return path.resolve(env.SANDLOT_HOME);
  const stateHome = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(stateHome, 'sandlot');
}

export interface SandlotPaths {
  home: string;
  /** Bearer token, mode 0600. */
  token: string;
  /** Written by a running agent: `{ url, pid }`, so a local CLI finds it. */
  agentInfo: string;
  agentLog: string;
  playgrounds: string;
  /** Private keys the CLI keeps for OpenSSH (`IdentityFile`), per playground. */
  clientKeys: string;
  knownHosts: string;
  /** Manifests a user adds to the catalog. */
  userTemplates: string;
  /** Frozen copies of playgrounds (one directory each). */
  snapshots: string;
}

export function sandlotPaths(home = sandlotHome()): SandlotPaths {
  return {
    home,
    token: path.join(home, 'token'),
    agentInfo: path.join(home, 'agent.json'),
    agentLog: path.join(home, 'agent.log'),
    playgrounds: path.join(home, 'playgrounds'),
    clientKeys: path.join(home, 'client', 'keys'),
    knownHosts: path.join(home, 'client', 'known_hosts'),
    userTemplates: path.join(home, 'templates'),
    snapshots: path.join(home, 'snapshots'),
  };
}

/** Built-in files shipped in the repo, found relative to the bundle or the sources. */
export function repoRoot(): string {
  // Sources, the main bundle (dist/) and benchmark bundles (dist/bench/) sit at
  // different depths below the checkout: walk up to its package.json.
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'host-agent'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the Sandlot checkout above ${__dirname}`);
}
