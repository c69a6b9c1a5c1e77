// Applies one recipe layer to a rootfs directory, the way the docker builder applies it
// to an image: files, then inputs, then the layer script (layerScript, the same text a
// Dockerfile RUN gets), here run in a chroot. The chroot's mounts live in a private mount
// namespace, so they vanish with it even if the build is killed halfway.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layerScript, type Recipe, type ResolvedInput } from '../recipe';

function run(cmd: string, args: string[], onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } });
    const tail: string[] = [];
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        tail.push(l);
        if (tail.length > 25) tail.shift();
        onLine?.(l);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args[0] ?? ''}… failed (exit ${code}):\n${tail.join('\n')}`))));
  });
}

/** Resolves `p` inside `root`, refusing paths that climb out of it. */
export function insideRoot(root: string, p: string): string {
  const full = path.resolve(root, `.${path.posix.normalize(`/${p}`)}`);
  if (full !== root && !full.startsWith(`${root}${path.sep}`)) throw new Error(`path ${p} leaves the image root`);
  return full;
}

// Runs inside the private mount namespace: $1 is the rootfs.
const CHROOT_RUN = [
  'set -e',
  'mount --rbind /dev "$1/dev"',
  'mount -t proc proc "$1/proc"',
  'mount -t sysfs sysfs "$1/sys"',
  // Name resolution for apt; the image keeps whatever file it had before.
  'cp "$1/etc/resolv.conf" "$1/tmp/.resolv.conf.sandlot" 2>/dev/null || true',
  'cp -L /etc/resolv.conf "$1/etc/resolv.conf" 2>/dev/null || true',
  // Package scripts must not start services in the build.
  'printf "#!/bin/sh\\nexit 101\\n" >"$1/usr/sbin/policy-rc.d"; chmod 755 "$1/usr/sbin/policy-rc.d"',
  'status=0; chroot "$1" /bin/sh /tmp/sandlot-layer.sh || status=$?',
  'rm -f "$1/usr/sbin/policy-rc.d" "$1/tmp/sandlot-layer.sh"',
  'if [ -e "$1/tmp/.resolv.conf.sandlot" ]; then mv "$1/tmp/.resolv.conf.sandlot" "$1/etc/resolv.conf"; fi',
  'exit $status',
].join('\n');

/** Writes one layer's files and inputs into `rootfs`, then runs its script chrooted there. */
export async function applyLayer(rootfs: string, recipe: Recipe, inputs: Record<string, ResolvedInput>, onLine?: (line: string) => void): Promise<void> {
  if (recipe.bootstrap) throw new Error(`image "${recipe.name}" is a bootstrap, not a layer: it is made by debootstrap, not applied`);
  for (const f of recipe.files ?? []) {
    const dest = insideRoot(rootfs, f.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, f.content);
    fs.chmodSync(dest, f.mode ?? 0o644);
  }
  for (const input of recipe.inputs ?? []) {
    const resolved = inputs[input.name];
    if (!resolved) throw new Error(`image "${recipe.name}": input ${input.name} was not resolved`);
    const dest = insideRoot(rootfs, input.dest);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (fs.statSync(resolved.path).isDirectory()) {
      fs.mkdirSync(dest, { recursive: true });
      await run('cp', ['-a', '-L', `${resolved.path}/.`, dest]);
    } else {
      await run('cp', ['-L', '--preserve=mode,timestamps', resolved.path, dest]);
    }
  }
  fs.mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'tmp', 'sandlot-layer.sh'), layerScript(recipe));
  await run('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', CHROOT_RUN, 'sandlot-chroot', rootfs], onLine);
}
