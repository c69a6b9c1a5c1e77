import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Temp file, fsync, rename: a crash leaves the old file or the new one, never half of one. */
export async function writeFileAtomicMode(file: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, data, { mode, fsync: true });
}

export function writeFileAtomicModeSync(file: string, data: string | Buffer, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(file, data, { mode, fsync: true });
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.promises.readFile(file, 'utf8')) as T;
}
