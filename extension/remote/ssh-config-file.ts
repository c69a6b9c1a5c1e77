// Reads, updates and atomically rewrites ~/.ssh/config with the Sandlot block. The pure
// text logic lives in ssh-config-block.ts; this file only does the careful I/O.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { errorCode } from '../../host-agent/util/errors';
import { updateSandlotBlock, type BlockUpdate, type SshHostEntry } from './ssh-config-block';

export function defaultSshConfigPath(): string {
  return path.join(os.homedir(), '.ssh', 'config');
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return '';
    throw err;
  }
}

/** Where a write to `file` must land: the end of its chain of symbolic links, which need not exist yet (a dangling link). */
async function linkTarget(file: string): Promise<string> {
  let current = file;
  // The kernel's own limit on links in a path (ELOOP beyond it).
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = await fs.promises.readlink(current);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'EINVAL' || code === 'ENOENT') return current; // not a link, or nothing there yet
      throw err;
    }
    current = path.resolve(path.dirname(current), link);
  }
  throw new Error(`${file}: too many levels of symbolic links`);
}

/**
 * Writes `entries` as the one Sandlot block of `configPath` (empty `entries` removes the
 * block). A symlinked config (dotfile managers) is updated at its target, keeping the
 * link, also when the target does not exist yet. The new file appears by rename, so a
 * crash leaves the old or the new file, never a truncated one; its mode and owner are
 * kept (0600 for a new file).
 */
export async function writeSandlotBlock(entries: SshHostEntry[], configPath = defaultSshConfigPath()): Promise<BlockUpdate & { path: string }> {
  const target = await linkTarget(configPath);
  await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const shown = configPath.startsWith(os.homedir() + path.sep) ? '~' + configPath.slice(os.homedir().length) : configPath;
  // Another program may write the file while we compute; re-read right before writing
  // and start over when it moved under us, so its edit is not lost.
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await readOrEmpty(target);
    const update = updateSandlotBlock(before, entries, shown);
    if (!update.changed) return { ...update, path: target };
    if ((await readOrEmpty(target)) !== before) continue;
    const exists = fs.existsSync(target);
    await writeFileAtomic(target, update.text, { encoding: 'utf8', fsync: true, ...(exists ? {} : { mode: 0o600 }) });
    return { ...update, path: target };
  }
  throw new Error(`${shown} kept changing while Sandlot tried to update it; try again`);
}
