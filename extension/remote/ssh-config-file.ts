// Reads, updates and atomically rewrites ~/.ssh/config with the Sandlot block. The pure
// text logic lives in ssh-config-block.ts; this file only does the careful I/O.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { updateSandlotBlock, type BlockUpdate, type SshHostEntry } from './ssh-config-block';

export function defaultSshConfigPath(): string {
  return path.join(os.homedir(), '.ssh', 'config');
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/**
 * Writes `entries` as the one Sandlot block of `configPath` (empty `entries` removes the
 * block). A symlinked config (dotfile managers) is updated at its target, keeping the
 * link. The new file appears by rename, so a crash leaves the old or the new file, never
 * a truncated one; its mode and owner are kept (0600 for a new file).
 */
export async function writeSandlotBlock(entries: SshHostEntry[], configPath = defaultSshConfigPath()): Promise<BlockUpdate & { path: string }> {
  let target = configPath;
  try {
    target = await fs.promises.realpath(configPath);
  } catch {
    await fs.promises.mkdir(path.dirname(configPath), { recursive: true, mode: 0o700 });
  }
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
