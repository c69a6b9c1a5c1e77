// One QEMU process: launch (daemonized, so it outlives the agent; its pid in a pidfile),
// the handshake on the control port, and a stop that asks the guest first, then QEMU
// (QMP quit), then the kernel (SIGKILL).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { isAlive, processStartTime } from '../../util/proc';
import { ControlChannel } from './control';
import { QmpClient } from './qmp';
import { qemuArgs, type VmLaunch } from './qemu-args';
import { errorMessage } from '../../util/errors';

export interface VmProcess {
  pid: number;
  start: number;
}

/** Unix socket paths must fit sockaddr_un (108 bytes with the NUL). */
export function checkSocketPath(p: string): void {
  if (Buffer.byteLength(p) > 107) throw new Error(`microvm: socket path ${p} is longer than 107 bytes; use a shorter SANDLOT_HOME`);
}

/** Starts QEMU (optionally under `prefix`, e.g. nsenter into the playground's namespace). */
export async function launchQemu(qemu: string, launch: VmLaunch, prefix: string[] = []): Promise<VmProcess> {
  for (const s of [launch.qmpSocket, launch.controlSocket]) {
    checkSocketPath(s);
    fs.rmSync(s, { force: true });
  }
  fs.rmSync(launch.pidFile, { force: true });
  const argv = [...prefix, qemu, ...qemuArgs(launch)];
  // -daemonize: the first process exits once QEMU is set up; errors before that go to stderr.
  await new Promise<void>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new Error(`microvm: cannot run ${argv[0]}: ${e.message}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`microvm: QEMU failed to start (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
  const pid = Number(fs.readFileSync(launch.pidFile, 'utf8').trim());
  const start = processStartTime(pid);
  if (!pid || start === undefined) throw new Error(`microvm: QEMU wrote pid ${pid} to ${launch.pidFile} but is not running`);
  return { pid, start };
}

/** The last lines of a VM's serial console log, for errors: where a failed boot says why. */
export function consoleTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ') || '(empty)';
  } catch {
    return '(none)';
  }
}

export function vmAlive(p: VmProcess | undefined): p is VmProcess {
  return !!p && isAlive(p.pid, p.start);
}

export async function waitExit(p: VmProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(p.pid, p.start)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export function killVm(p: VmProcess | undefined): void {
  if (!vmAlive(p)) return;
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/**
 * Graceful stop: QMP system_powerdown (the guest's init sees the ACPI power button, stops
 * its processes, syncs and powers off), then QMP quit, then SIGKILL.
 */
export async function stopVm(p: VmProcess, qmpSocket: string, log: (m: string) => void, graceMs = 15_000): Promise<void> {
  if (!vmAlive(p)) return;
  let qmp: QmpClient | undefined;
  try {
    qmp = await QmpClient.connect(qmpSocket, 2000);
    await qmp.execute('system_powerdown');
    if (await waitExit(p, graceMs)) return;
    log(`guest did not power off within ${graceMs / 1000} s; asking QEMU to quit`);
    await qmp.execute('quit').catch(() => undefined);
    if (await waitExit(p, 5000)) return;
  } catch (err) {
    log(`QMP failed (${errorMessage(err)}); killing QEMU`);
  } finally {
    qmp?.close();
  }
  killVm(p);
  await waitExit(p, 5000);
}

/**
 * After `-incoming`: wait until the saved state is loaded, then resume the guest (the
 * template was paused when its state was saved, so QEMU keeps the clone paused too).
 */
export async function resumeRestored(qmpSocket: string, timeoutMs: number): Promise<void> {
  const qmp = await retryConnect(() => QmpClient.connect(qmpSocket, 2000), 10_000);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await qmp.execute<{ status: string }>('query-status');
      if (s.status === 'paused' || s.status === 'running') break;
      if (s.status !== 'inmigrate') throw new Error(`restoring the snapshot failed: QEMU is ${s.status}`);
      if (Date.now() > deadline) throw new Error(`restoring the snapshot took over ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await qmp.execute('cont');
  } finally {
    qmp.close();
  }
}

/** The boot handshake: wait for "waiting" (cold boot only), send go, wait for ready. */
export async function handshake(controlSocket: string, opts: { expectWaiting: boolean; timeoutMs: number }): Promise<void> {
  const ctl = await connectRetrying(controlSocket, 10_000);
  try {
    if (opts.expectWaiting) await ctl.expect('waiting', opts.timeoutMs, 'boot');
    ctl.sendGo();
    await ctl.expect('ready', opts.timeoutMs, 'machine set-up');
  } finally {
    ctl.close();
  }
}

export function connectRetrying(socket: string, timeoutMs = 10_000): Promise<ControlChannel> {
  return retryConnect(() => ControlChannel.connect(socket, 2000), timeoutMs);
}

/**
 * Tries `connect` until it succeeds or `timeoutMs` has passed, then throws its last error:
 * QEMU's sockets can be missing or not yet listening for a moment after launch.
 */
async function retryConnect<T>(connect: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
