// Low-level namespace plumbing for the sandbox driver: starting a namespace holder
// (a playground's network hub or a machine's PID 1), writing its id maps, and the
// nsenter argument lists that put a process inside a machine.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { AGENT_IS_ROOT } from '../../netns/enter';

// Moved to neutral modules (the microvm driver uses them too); re-exported for the sandbox driver.
export { AGENT_IS_ROOT, netEnterArgs } from '../../netns/enter';
export { isAlive, processStartTime, treeRss } from '../../util/proc';
import { repoRoot } from '../../util/paths';
import { errorMessage } from '../../util/errors';
import { builtHelper } from '../../util/built-helpers';

/**
 * As root, machines get 65536 uids starting at an unprivileged base (so machine root is
 * nobody to the host, like a rootless container); each playground its own range, so
 * playgrounds cannot touch each other's files. As a normal user, only root exists in a
 * machine and maps to the agent's own uid.
 */
export interface IdMap {
  /** Host uid/gid of the machine's root. */
  outer: number;
  count: number;
}

const ROOT_UID_BASE = 0x100000; // 1048576: above any uid a distribution hands out
const RANGE = 65536;

export function idMapForSlot(slot: number): IdMap {
  if (AGENT_IS_ROOT) return { outer: ROOT_UID_BASE + slot * RANGE, count: RANGE };
  return { outer: process.getuid?.() ?? 0, count: 1 };
}

let scriptText: string | undefined;
export function initScript(): string {
  scriptText ??= fs.readFileSync(path.join(repoRoot(), 'host-agent', 'drivers', 'sandbox', 'machine-init.sh'), 'utf8');
  return scriptText;
}

export type HolderRole = 'hub' | 'setup';

export interface HolderOptions {
  /** Command that wraps `bash` (e.g. `unshare …` or `nsenter … -- unshare …`), or dist/sandlot-init. */
  argv: string[];
  /** Which part of machine-init.sh runs. */
  role: HolderRole;
  /** dist/sandlot-init, which plays this role itself (`sandlot-init <role> [initArgs…]`, after argv) instead of the script. */
  init?: string;
  initArgs?: string[];
  env: Record<string, string>;
  /** Host uid/gid to run as (root agents only). */
  uid?: number;
  gid?: number;
  logFile: string;
  /**
   * What the agent does when the script reports a step and waits for "go": `pid` (its own
   * host PID, first), `binds` (a root agent binds the machine's own dirs from outside),
   * `machine` (the machine's PID 1 exists: join cgroups, plug network links).
   */
  on: Partial<Record<'pid' | 'binds' | 'machine', (pid: number) => Promise<void>>>;
  /** Called with the script's PID as soon as it is spawned, before its first line. */
  spawned?: (pid: number) => void;
  /** Records how long the script took to each handshake line and the agent to each answer (`<label> →pid`, `<label> pid`, …). */
  times?: { label: string; record: (label: string, start: number) => void };
}

export interface HolderPids {
  /** The script's own PID (the hub's PID 1; setup's shell, gone once the machine runs). */
  pid: number;
  /** The machine's PID 1 (setup role). */
  machine?: number;
}

/** The longest a machine's setup may take between two handshake lines (seconds of work at most, even under load). */
const SETUP_SILENCE_MS = 120_000;

/** Runs a part of machine-init.sh through its handshake; resolves once it says `ready`. */
export async function startHolder(opts: HolderOptions): Promise<HolderPids> {
  const log = fs.openSync(opts.logFile, 'a', 0o600);
  // sandlot-init runs the script's setup role itself, once in the namespaces.
  const script = opts.init && opts.role !== 'setup' ? undefined : initScript();
  const argv = opts.init ? [...opts.argv, opts.init, opts.role, ...(opts.initArgs ?? [])] : [...opts.argv, 'bash', '-c', script!, 'sandlot-init', opts.role];
  let child: ChildProcess;
  try {
    child = spawn(argv[0], argv.slice(1), {
      // Its own session: the machine outlives an agent that is killed.
      detached: true,
      stdio: ['pipe', 'pipe', log],
      ...(opts.init && opts.argv.length === 0 ? { argv0: 'sandlot-init' } : {}),
      // HOME=/ keeps bash from reading the agent's ~/.bashrc (it does when stdin is a socket).
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/', ...opts.env, ...(script ? { M_SCRIPT: script } : {}) },
      uid: opts.uid,
      gid: opts.gid,
    });
  } finally {
    fs.closeSync(log);
  }
  if (child.pid !== undefined) opts.spawned?.(child.pid);
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  // How the script ended, once it has. Lines are read to the end of its output first: a
  // setup that prints "ready" and exits at once must not lose that line to its exit.
  const ended = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
    child.once('error', (err) => resolve(errorMessage(err)));
  });
  let last = 'nothing yet';
  const nextLine = async (): Promise<string> => {
    // A setup that goes quiet (a kernel call that never returns) fails the start instead of
    // holding it, and the playground's queue behind it, for ever.
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`namespace setup (${opts.role}) said nothing for ${SETUP_SILENCE_MS / 1000} s after ${last}`)),
        SETUP_SILENCE_MS,
      );
    });
    const r = await Promise.race([iterator.next(), silence]).finally(() => clearTimeout(timer));
    if (!r.done) {
      last = JSON.stringify(r.value);
      return r.value;
    }
    const how = await ended;
    const tail = readTail(opts.logFile);
    throw new Error(`namespace setup exited (${how})${tail ? `: ${tail}` : ''}`);
  };
  let own: number | undefined;
  let machine: number | undefined;
  let since = performance.now();
  const lap = (what: string) => {
    opts.times?.record(`${opts.times.label} ${what}`, since);
    since = performance.now();
  };
  try {
    for (;;) {
      const line = await nextLine();
      const step = line === 'ready' ? undefined : parseStep(line);
      lap(`→${step?.kind ?? 'ready'}`);
      if (line === 'ready') break;
      if (!step || (own === undefined && step.kind !== 'pid')) throw new Error(`unexpected line from namespace setup: ${JSON.stringify(line)}`);
      if (step.kind === 'pid') own = step.pid;
      if (step.kind === 'machine') machine = step.pid;
      await opts.on[step.kind]?.(step.kind === 'binds' ? own! : step.pid);
      if (opts.on[step.kind]) lap(`${step.kind} (agent)`);
      child.stdin!.write('go\n');
    }
    child.stdin!.end();
    if (own === undefined) throw new Error('namespace setup said ready before its pid');
    return { pid: own, ...(machine !== undefined ? { machine } : {}) };
  } catch (err) {
    child.kill('SIGKILL');
    if (machine) killQuietly(machine);
    throw err;
  } finally {
    lines.close();
    child.stdout!.destroy();
    child.removeAllListeners('exit');
    child.unref();
  }
}

/** A line of the init script's handshake: `pid N`, `machine N` or `binds`. */
function parseStep(line: string): { kind: 'pid' | 'machine'; pid: number } | { kind: 'binds'; pid?: undefined } | undefined {
  if (line === 'binds') return { kind: 'binds' };
  const m = /^(pid|machine) (\d+)$/.exec(line);
  if (!m) return undefined;
  return { kind: m[1] === 'pid' ? 'pid' : 'machine', pid: Number(m[2]) };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function readTail(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trim().split('\n');
    return text.slice(-3).join(' | ');
  } catch {
    return '';
  }
}

/** Writes the id maps of a holder that is a child of the agent's own user namespace. */
export function writeTopLevelIdMaps(pid: number, map: IdMap): void {
  if (!AGENT_IS_ROOT) {
    // An unprivileged writer may map only its own ids, and only after giving up setgroups.
    fs.writeFileSync(`/proc/${pid}/setgroups`, 'deny');
  }
  fs.writeFileSync(`/proc/${pid}/uid_map`, `0 ${map.outer} ${map.count}\n`);
  fs.writeFileSync(`/proc/${pid}/gid_map`, `0 ${AGENT_IS_ROOT ? map.outer : process.getgid?.()} ${map.count}\n`);
}

/**
 * Flags for `nsenter` to become root of a holder's user namespace. As root the agent
 * switches to the namespace's uid 0 (its unprivileged base); as a normal user its own
 * uid already is that root, and setgroups is denied, so credentials stay as they are.
 */
export function enterUserFlags(): string[] {
  return AGENT_IS_ROOT ? [] : ['--preserve-credentials'];
}

// Moved to a neutral module (the relay is the network namespaces', not only the sandbox's).
export { builtHelper };

/**
 * dist/sandlot-enter (built from enter/sandlot-enter.c): enters a machine and installs its
 * seccomp filter. Undefined when it was not built.
 */
export function enterHelper(): string | undefined {
  return builtHelper('sandlot-enter');
}

/** `nsenter` arguments that put a process fully inside a machine, as a user, in a directory. */
export function machineEnterArgs(pid: number, user: { uid: number; gid: number }, cwd: string): string[] {
  const args = ['nsenter', '-t', String(pid), '-U', '-m', '-p', '-u', '-i', '-n', `--wdns=${cwd}`];
  if (AGENT_IS_ROOT) args.push('-S', String(user.uid), '-G', String(user.gid));
  else args.push('--preserve-credentials');
  return args;
}
