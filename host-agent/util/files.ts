import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { parseOwnJson } from './json';

/** Temp file, fsync, rename: a crash leaves the old file or the new one, never half of one. */
export async function writeFileAtomicMode(file: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, data, { mode, fsync: true });
}

export function writeFileAtomicModeSync(file: string, data: string | Buffer, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(file, data, { mode, fsync: true });
}

/**
 * Temp file, rename, no fsync: for state that only has to outlive the agent's own death
 * (a kill, a crash), not the host's: process ids and their start times, which a power loss
 * makes meaningless anyway. Other processes see the new file at once; an fsync would only
 * hold the event loop (1-10 ms each, several per playground start).
 */
export function writeRuntimeStateSync(file: string, data: string | Buffer, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(file, data, { mode, fsync: false });
}

/** Reads JSON this program wrote earlier (see json.ts), without blocking the event loop. */
export async function readJson<T>(file: string): Promise<T> {
  return parseOwnJson<T>(await fs.promises.readFile(file, 'utf8'));
}
