// Runs a host tool (qemu-img, mkfs.ext4, tar, rm …) to completion for its effect, not its
// output: stdout is dropped, stderr is kept for the error, so a failure says why.
import { spawn } from 'node:child_process';

/** Resolves when `cmd` exits 0; otherwise rejects naming the command, its exit code and stderr. */
export function runCommand(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}
