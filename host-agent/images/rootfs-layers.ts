// Applies layer recipes to a rootfs directory in a chroot: the same files, inputs and
// layer script the docker builder uses, for drivers that boot a directory or a disk
// image made from one (microvm). Runs in a private mount namespace (`unshare -m`), so
// the /proc it mounts for apt and the script disappears with it even on a crash.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layerScript, type Recipe, type ResolvedInput } from './recipe';

// Keeps package maintainer scripts from starting services inside the chroot.
const POLICY_RC_D = '#!/bin/sh\nexit 101\n';

function run(cmd: string, args: string[], onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}:\n${tail.join('\n')}`))));
  });
}

/** Writes one layer's files and inputs into `dir`, then runs its script chrooted there. */
export async function applyLayer(dir: string, recipe: Recipe, inputs: Record<string, ResolvedInput>, onLine?: (line: string) => void): Promise<void> {
  if (recipe.bootstrap) throw new Error(`image "${recipe.name}" is a bootstrap, not a layer: make it with bootstrapRootfs`);
  const inside = (p: string) => path.join(dir, p.replace(/^\/+/, ''));
  for (const f of recipe.files ?? []) {
    fs.mkdirSync(path.dirname(inside(f.path)), { recursive: true });
    fs.writeFileSync(inside(f.path), f.content);
    fs.chmodSync(inside(f.path), f.mode ?? 0o644);
  }
  for (const input of recipe.inputs ?? []) {
    const resolved = inputs[input.name];
    if (!resolved) throw new Error(`image "${recipe.name}": input "${input.name}" was not resolved`);
    fs.mkdirSync(path.dirname(inside(input.dest)), { recursive: true });
    fs.cpSync(resolved.path, inside(input.dest), { recursive: true, dereference: true });
  }
  const script = '/tmp/sandlot-layer.sh';
  fs.mkdirSync(inside('/tmp'), { recursive: true });
  fs.writeFileSync(inside(script), layerScript(recipe));
  const policy = inside('/usr/sbin/policy-rc.d');
  const hadPolicy = fs.existsSync(policy);
  if (!hadPolicy) fs.writeFileSync(policy, POLICY_RC_D, { mode: 0o755 });
  // apt inside needs a resolver; keep the rootfs' own file and put it back afterwards.
  const resolv = inside('/etc/resolv.conf');
  const savedResolv = fs.existsSync(resolv) ? fs.readFileSync(resolv) : undefined;
  fs.rmSync(resolv, { force: true });
  fs.copyFileSync('/etc/resolv.conf', resolv);
  try {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    await run(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', `mount -t proc proc ${q(inside('/proc'))} && exec chroot ${q(dir)} /bin/sh ${script}`],
      onLine,
    );
  } finally {
    fs.rmSync(inside(script), { force: true });
    if (!hadPolicy) fs.rmSync(policy, { force: true });
    fs.rmSync(resolv, { force: true });
    if (savedResolv) fs.writeFileSync(resolv, savedResolv);
  }
}
