// A real `sandlot agent` in either mode the product supports: as root, or as a normal
// user (uid 65534 through setpriv) with a state directory that user owns. Tests of
// isolation promises run the same attack against both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../../host-agent/api/client';
import { readOwnJson } from '../../host-agent/util/json';
import { CLI, REPO } from './agent-process';

export type AgentMode = 'root' | 'user';
export const USER_UID = 65534;

export interface ModeAgent {
  mode: AgentMode;
  home: string;
  client: AgentClient;
  process: ChildProcess;
  /** Runs the CLI as the agent's user against its home. */
  cli(args: string[], input?: string): { code: number; stdout: string; stderr: string };
  log(): string;
  stop(): Promise<void>;
}

/**
 * Whether a normal-user agent can run here: the suite must run as root (to switch user)
 * and uid 65534 must be able to read the checkout (one inside a private home is not).
 */
export function userModeAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('setpriv', [`--reuid=${USER_UID}`, `--regid=${USER_UID}`, '--clear-groups', 'test', '-r', CLI]).status === 0;
}

/**
 * A state directory outside /root, /home, /tmp and /var/tmp (the machine's own
 * directories would hide it anyway): the mask over it is then what keeps machines out.
 * It lives in the checkout's ignored `.sandlot-test/`.
 */
export function stateDirOutsideOwnDirs(mode: AgentMode): string {
  const base = path.join(REPO, '.sandlot-test');
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  const home = fs.mkdtempSync(path.join(base, `${mode}-`));
  if (mode === 'user') fs.chownSync(home, USER_UID, USER_UID);
  return home;
}

function asMode(mode: AgentMode, argv: string[]): string[] {
  return mode === 'root' ? argv : ['setpriv', `--reuid=${USER_UID}`, `--regid=${USER_UID}`, '--clear-groups', ...argv];
}

/** Starts an agent; `inherit` adds descriptors (e.g. a leaked one) the agent starts with. */
export async function startModeAgent(
  mode: AgentMode,
  opts: { home?: string; inherit?: number[]; args?: string[]; env?: Record<string, string> } = {},
): Promise<ModeAgent> {
  const home = opts.home ?? stateDirOutsideOwnDirs(mode);
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', SANDLOT_HOME: home, HOME: home };
  // The shared image cache (vitest.config.ts), for image roots.
  const shared = process.env.SANDLOT_VM_CACHE ? { SANDLOT_VM_CACHE: process.env.SANDLOT_VM_CACHE } : {};
  const logFile = path.join(home, 'test-agent.log');
  const out = fs.openSync(logFile, 'a');
  if (mode === 'user') fs.fchownSync(out, USER_UID, USER_UID);
  const extraEnv = Object.entries({ ...shared, ...opts.env }).map(([k, v]) => `${k}=${v}`);
  const argv = asMode(mode, ['env', `SANDLOT_HOME=${home}`, `HOME=${home}`, ...extraEnv, process.execPath, CLI, 'agent', ...(opts.args ?? [])]);
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', out, out, ...(opts.inherit ?? [])] });
  fs.closeSync(out);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agent (${mode}) exited: ${fs.readFileSync(logFile, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`agent (${mode}) did not start: ${fs.readFileSync(logFile, 'utf8')}`);
    try {
      const info = readOwnJson<{ url: string }>(path.join(home, 'agent.json'));
      const client = new AgentClient({ url: info.url, token: fs.readFileSync(path.join(home, 'token'), 'utf8').trim() });
      await client.info();
      return {
        mode,
        home,
        client,
        process: child,
        cli: (args, input) => {
          const a = asMode(mode, ['env', `SANDLOT_HOME=${home}`, `HOME=${home}`, process.execPath, CLI, ...args]);
          const r = spawnSync(a[0], a.slice(1), { env, encoding: 'utf8', input, timeout: 60_000 });
          return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        },
        log: () => fs.readFileSync(logFile, 'utf8'),
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
