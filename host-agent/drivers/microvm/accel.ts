// Which accelerator QEMU gets. /dev/kvm existing is not enough: some hosts (nested or
// paravirtual set-ups) expose a /dev/kvm that cannot run a normal guest, which then
// crashes or crawls. So the check boots the real guest kernel under KVM without a root
// disk: a working KVM reaches the kernel's "cannot mount root" panic (and QEMU exits,
// -no-reboot) in well under a second; anything else within the time limit means TCG.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { headlessArgs, type Accel } from './qemu-args';
import { errorCode } from '../../util/errors';

export interface AccelChoice {
  accel: Accel;
  /** Why: shown by `sandlot doctor` and logged once by the agent. */
  detail: string;
}

const PROBE_TIMEOUT_MS = 6000;

export async function probeKvm(qemu: string, kernel: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<AccelChoice> {
  if (!fs.existsSync('/dev/kvm')) return { accel: 'tcg', detail: 'no /dev/kvm on this host (no hardware virtualisation exposed)' };
  try {
    fs.closeSync(fs.openSync('/dev/kvm', 'r+'));
  } catch (err) {
    return { accel: 'tcg', detail: `/dev/kvm is not usable by this user (${errorCode(err)}); add the user to group kvm` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-kvm-probe-'));
  const log = path.join(dir, 'console.log');
  const started = Date.now();
  try {
    const result = await new Promise<{ code: number | null; timedOut: boolean; stderr: string }>((resolve) => {
      const child = spawn(
        qemu,
        [
          '-M',
          'microvm',
          '-accel',
          'kvm',
          '-cpu',
          'host',
          '-m',
          '256M',
          '-smp',
          '1',
          ...headlessArgs(log),
          '-kernel',
          kernel,
          '-append',
          'console=ttyS0 panic=-1 root=/dev/null',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        killGroup(child.pid);
        resolve({ code: null, timedOut: true, stderr });
      }, timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ code: -1, timedOut: false, stderr: err.message });
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, timedOut: false, stderr });
      });
    });
    const console = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    const ms = Date.now() - started;
    if (/Kernel panic|Unable to mount root|VFS: Cannot open root/.test(console) && !result.timedOut) {
      return { accel: 'kvm', detail: `KVM runs a guest here (test kernel reached its root-mount panic in ${ms} ms)` };
    }
    const why = result.timedOut
      ? `a test guest under KVM did not get through its boot in ${timeoutMs / 1000} s`
      : `a test guest under KVM failed (${result.stderr.trim().split('\n').pop() || `exit ${result.code}`})`;
    return { accel: 'tcg', detail: `/dev/kvm exists but cannot run a normal guest: ${why}; using software emulation (TCG)` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Host TSC frequency in kHz (from /proc/cpuinfo), for tsc_early_khz. */
export function hostTscKhz(cpuinfo = readCpuinfo()): number | undefined {
  const m = /^cpu MHz\s*:\s*([0-9.]+)/m.exec(cpuinfo);
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

function readCpuinfo(): string {
  try {
    return fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}
