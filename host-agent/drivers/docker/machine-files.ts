// Files put into a machine's container after it is created and before it first starts:
// its host key, the playground key, the first-boot script. One tar archive, extracted at /.
import * as tar from 'tar-stream';
import { MACHINE_PATHS } from '../../images/machine-scripts';
import type { MachineSpec, PlaygroundSpec } from '../protocol';
import { firstBootScript, forkIdentityScript } from './first-boot';

export interface InjectedFile {
  path: string;
  content: string;
  mode: number;
  /** A symbolic link to this target instead of a file (`content` is ignored). */
  linkTarget?: string;
}

/** `fork`: the container comes from a snapshot, whose first boot is done; its first-boot script becomes the fork's identity (run once by the driver). */
export function machineFiles(spec: PlaygroundSpec, machine: MachineSpec, fork = false): InjectedFile[] {
  const registryAuth = spec.manifest.playground.registryAuth;
  const files: InjectedFile[] = [
    { path: MACHINE_PATHS.hostKey, content: ensureNewline(machine.hostKey.privateKey), mode: 0o600 },
    { path: `${MACHINE_PATHS.hostKey}.pub`, content: ensureNewline(machine.hostKey.publicKey), mode: 0o644 },
    { path: MACHINE_PATHS.authorizedKeys, content: ensureNewline(spec.authorizedKey), mode: 0o644 },
    { path: MACHINE_PATHS.firstBoot, content: fork ? forkIdentityScript(machine, registryAuth) : firstBootScript(machine, registryAuth), mode: 0o700 },
  ];
  if (machine.noSSH) files.push({ path: MACHINE_PATHS.noSSH, content: '', mode: 0o644 });
  return files;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/** A tar archive of the files (root-owned, paths relative to /), for the engine's archive API. */
export async function tarFiles(files: InjectedFile[]): Promise<Buffer> {
  const pack = tar.pack();
  const dirs = new Set<string>();
  for (const f of files) {
    const rel = f.path.replace(/^\/+/, '');
    // Parent directories first, or extraction makes them with the wrong mode.
    const parts = rel.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      pack.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    }
    if (f.linkTarget !== undefined) pack.entry({ name: rel, type: 'symlink', linkname: f.linkTarget, mode: 0o777, uid: 0, gid: 0 });
    else pack.entry({ name: rel, mode: f.mode, uid: 0, gid: 0 }, f.content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) {
    if (!Buffer.isBuffer(chunk)) throw new Error('tar-stream gave a chunk that is not a Buffer');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
