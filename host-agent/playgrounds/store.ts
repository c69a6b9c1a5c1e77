// Playground records on disk: one directory per playground holding record.json
// (written atomically: temp file, fsync, rename), the manifest it was made from, and
// its keys (mode 0600). An agent restart rebuilds everything from these files.
//
// A directory is either complete or absent: it is assembled under a temporary name and
// renamed into place, and a destroyed one is renamed away before it is deleted. What a
// crash or a full disk leaves half-made is cleaned at the next load (or, when it may hold
// a driver's files, set aside under a name that says so), never reported at every start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlaygroundRecord } from '../api/protocol';
import type { KeyPair } from '../drivers/protocol';
import { errorCode, errorMessage } from '../util/errors';
import { writeFileAtomicMode, writeFileAtomicModeSync } from '../util/files';
import { PLAYGROUND_ID } from '../util/ids';
import { readOwnJson } from '../util/json';

export interface StoredPlayground {
  record: PlaygroundRecord;
  /** Manifest YAML the playground was made from (re-validated on load). */
  manifestText: string;
  manifestName: string;
  userKey: KeyPair;
  hostKeys: Record<string, KeyPair>;
  /** Set while the playground is a warm pool member (playgrounds/warm-pool.ts): the template it was made for. */
  pool?: string;
  /** A one-shot run's own playground (not kept): it ends with its run, which ends with the agent (see RUN_MARK). */
  run?: true;
}

/** A record could not be written (full disk, I/O error); what was on disk before is still there. */
export class StateWriteError extends Error {
  constructor(
    readonly id: string,
    override readonly cause: unknown,
  ) {
    const code = errorCode(cause);
    const message = errorMessage(cause);
    // Node's own messages start with their code already (`ENOSPC: no space left on device, write`).
    super(`cannot write the state of ${id} (${code && !message.startsWith(code) ? `${code}: ` : ''}${message})`);
    this.name = 'StateWriteError';
  }
}

const CREATING = '.creating-';
const DESTROYED = '.destroyed';
const BROKEN = '.broken';
/** Present in the directory of a warm pool member. */
const POOL_MARK = 'pool.json';
/**
 * Present in the directory of a one-shot run's playground: its run (the client's connection
 * to this agent) cannot outlive the agent, so an agent that finds it destroys it. Written with
 * the playground, so nothing needs writing before the run's exit is answered.
 */
const RUN_MARK = 'run.json';

export interface LoadResult {
  loaded: StoredPlayground[];
  /** One line per directory that was cleaned up or set aside (for the log, once). */
  notes: string[];
}

export class PlaygroundStore {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  dir(id: string): string {
    if (!PLAYGROUND_ID.test(id)) throw new Error(`not a playground id: ${JSON.stringify(id)}`);
    return path.join(this.root, id);
  }

  /** Writes a new playground's directory whole, or leaves nothing behind (StateWriteError). */
  create(p: StoredPlayground): void {
    const dir = this.dir(p.record.id);
    const temp = path.join(this.root, `${CREATING}${p.record.id}`);
    try {
      fs.mkdirSync(path.join(temp, 'keys'), { recursive: true, mode: 0o700 });
      writeFileAtomicModeSync(path.join(temp, 'manifest.yaml'), p.manifestText, 0o600);
      writeFileAtomicModeSync(
        path.join(temp, 'keys', 'keys.json'),
        JSON.stringify({ manifestName: p.manifestName, userKey: p.userKey, hostKeys: p.hostKeys }),
        0o600,
      );
      writeFileAtomicModeSync(path.join(temp, 'record.json'), JSON.stringify(p.record, null, 2), 0o600);
      if (p.pool !== undefined) writeFileAtomicModeSync(path.join(temp, POOL_MARK), JSON.stringify({ template: p.pool }), 0o600);
      if (p.run) writeFileAtomicModeSync(path.join(temp, RUN_MARK), '{}', 0o600);
      fs.renameSync(temp, dir);
    } catch (err) {
      fs.rmSync(temp, { recursive: true, force: true });
      throw new StateWriteError(p.record.id, err);
    }
  }

  /** Replaces record.json atomically; on failure the old one stays (StateWriteError). */
  async saveRecord(record: PlaygroundRecord): Promise<void> {
    try {
      await writeFileAtomicMode(path.join(this.dir(record.id), 'record.json'), JSON.stringify(record, null, 2), 0o600);
    } catch (err) {
      throw new StateWriteError(record.id, err);
    }
  }

  /**
   * Writes the record a warm pool member gets when it is handed out, and its keys file
   * when `keys` says that changed too (the keys are the member's own: only the manifest
   * name it is shown under can differ); it stays a pool member (which the next agent
   * removes) until endPoolMembership(), so a crash before that never leaves a user's
   * playground half handed out.
   */
  async saveHandOut(p: StoredPlayground, opts: { keys: boolean }): Promise<void> {
    const dir = this.dir(p.record.id);
    try {
      await Promise.all([
        opts.keys
          ? writeFileAtomicMode(
              path.join(dir, 'keys', 'keys.json'),
              JSON.stringify({ manifestName: p.manifestName, userKey: p.userKey, hostKeys: p.hostKeys }),
              0o600,
            )
          : undefined,
        writeFileAtomicMode(path.join(dir, 'record.json'), JSON.stringify(p.record, null, 2), 0o600),
      ]);
    } catch (err) {
      throw new StateWriteError(p.record.id, err);
    }
  }

  /** The handed-out member is a user's playground from now on. */
  endPoolMembership(id: string): void {
    try {
      fs.rmSync(path.join(this.dir(id), POOL_MARK), { force: true });
    } catch (err) {
      throw new StateWriteError(id, err);
    }
  }

  /** Every complete playground; leftovers of interrupted creates and destroys are removed, unreadable ones set aside. */
  loadAll(): LoadResult {
    const loaded: StoredPlayground[] = [];
    const notes: string[] = [];
    for (const name of fs.readdirSync(this.root).sort()) {
      const dir = path.join(this.root, name);
      if (name.startsWith(CREATING) || name.endsWith(DESTROYED)) {
        // An interrupted create (nothing of it ran: the driver only starts after the rename) or destroy (the driver was done).
        fs.rmSync(dir, { recursive: true, force: true });
        notes.push(`${dir}: removed what an interrupted ${name.startsWith(CREATING) ? 'create' : 'destroy'} left`);
        continue;
      }
      if (!PLAYGROUND_ID.test(name)) continue;
      try {
        loaded.push(readPlayground(dir));
      } catch (err) {
        notes.push(this.setAside(name, `unreadable (${errorMessage(err)})`));
      }
    }
    return { loaded, notes };
  }

  /**
   * Moves a playground the agent cannot use out of its way, to a name it never loads.
   * Its driver may still hold files (and resources) under it, so it is kept, not deleted.
   * Returns the line to log.
   */
  setAside(id: string, why: string): string {
    const dir = path.join(this.root, id);
    const aside = `${dir}${BROKEN}`;
    fs.rmSync(aside, { recursive: true, force: true });
    fs.renameSync(dir, aside);
    return `${dir}: ${why}; moved to ${aside} (delete it once its machines are gone)`;
  }

  /** Removes a playground's directory; it stops being a playground at once (renamed), then is deleted. */
  remove(id: string): void {
    const dir = this.dir(id);
    const gone = `${dir}${DESTROYED}`;
    try {
      fs.renameSync(dir, gone);
    } catch (err) {
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return;
      throw err;
    }
    fs.rmSync(gone, { recursive: true, force: true });
  }
}

function readPlayground(dir: string): StoredPlayground {
  const record = readOwnJson<PlaygroundRecord>(path.join(dir, 'record.json'));
  const keys = readOwnJson<{ manifestName: string; userKey: KeyPair; hostKeys: Record<string, KeyPair> }>(path.join(dir, 'keys', 'keys.json'));
  const manifestText = fs.readFileSync(path.join(dir, 'manifest.yaml'), 'utf8');
  // Checked only as far as a torn or foreign file would fail later in confusing ways.
  if (typeof record !== 'object' || record === null || typeof record.id !== 'string' || !Array.isArray(record.machines)) {
    throw new Error('record.json: not a playground record');
  }
  if (typeof keys !== 'object' || keys === null || typeof keys.userKey !== 'object') throw new Error('keys/keys.json: not a key file');
  const pool = fs.existsSync(path.join(dir, POOL_MARK)) ? (readOwnJson<{ template?: string }>(path.join(dir, POOL_MARK)).template ?? '') : undefined;
  const run = fs.existsSync(path.join(dir, RUN_MARK));
  return {
    record,
    manifestText,
    manifestName: keys.manifestName,
    userKey: keys.userKey,
    hostKeys: keys.hostKeys,
    ...(pool !== undefined ? { pool } : {}),
    ...(run ? { run: true as const } : {}),
  };
}
