// Makes a Debian root filesystem directory with debootstrap, and streams a directory as
// a tar archive. Both are engine-free: the docker builder imports the stream, a VM driver
// can turn the same directory into a disk image.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { BootstrapSpec } from './recipe';

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';

export interface BootstrapOptions {
  mirror?: string;
  /** Called with debootstrap's own progress lines, at most every couple of seconds. */
  onProgress?: (message: string) => void;
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const candidate = `${dir}/${cmd}`;
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function debootstrapPath(): string | undefined {
  return which('debootstrap');
}

/** Runs debootstrap into `dir` (which must not exist or be empty); removes it on failure. */
export async function bootstrapRootfs(spec: BootstrapSpec, dir: string, options: BootstrapOptions = {}): Promise<void> {
  const debootstrap = debootstrapPath();
  if (!debootstrap) throw new Error('building images needs debootstrap, which is not installed: apt-get install debootstrap');
  if (process.getuid?.() !== 0) throw new Error('building images runs debootstrap, which needs root');
  const mirror = options.mirror ?? DEFAULT_DEBIAN_MIRROR;
  const args = ['--variant=minbase', `--include=${spec.include.join(',')}`, spec.suite, dir, mirror];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(debootstrap, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let lastReport = 0;
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      const now = Date.now();
      // debootstrap prints one line per package and step; a few a second is plenty.
      if (options.onProgress && line.startsWith('I: ') && now - lastReport > 2000) {
        lastReport = now;
        options.onProgress(line.slice(3));
      }
    };
    let buffered = '';
    const onData = (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve();
      fs.rmSync(dir, { recursive: true, force: true });
      reject(new Error(`debootstrap ${spec.suite} from ${mirror} failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}

/** The directory's content as a tar stream (GNU tar keeps devices, links, owners and xattrs exact). */
export function tarDirectory(dir: string): { stream: Readable; done: Promise<void> } {
  const child = spawn('tar', ['--numeric-owner', '--xattrs', '-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar of ${dir} failed (exit ${code}): ${err.trim()}`))));
  });
  return { stream: child.stdout, done };
}
