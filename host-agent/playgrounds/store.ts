// Playground records on disk: one directory per playground holding record.json
// (written atomically: temp file, fsync, rename), the manifest it was made from, and
// its keys (mode 0600). An agent restart rebuilds everything from these files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlaygroundRecord } from '../api/protocol';
import type { KeyPair } from '../drivers/protocol';
import { writeFileAtomicMode, writeFileAtomicModeSync } from '../util/files';
import { PLAYGROUND_ID } from '../util/ids';

export interface StoredPlayground {
  record: PlaygroundRecord;
  /** Manifest YAML the playground was made from (re-validated on load). */
  manifestText: string;
  manifestName: string;
  userKey: KeyPair;
  hostKeys: Record<string, KeyPair>;
}

export class PlaygroundStore {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  dir(id: string): string {
    if (!PLAYGROUND_ID.test(id)) throw new Error(`not a playground id: ${JSON.stringify(id)}`);
    return path.join(this.root, id);
  }

  create(p: StoredPlayground): void {
    const dir = this.dir(p.record.id);
    fs.mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileAtomicModeSync(path.join(dir, 'manifest.yaml'), p.manifestText, 0o600);
    writeFileAtomicModeSync(
      path.join(dir, 'keys', 'keys.json'),
      JSON.stringify({ manifestName: p.manifestName, userKey: p.userKey, hostKeys: p.hostKeys }),
      0o600,
    );
    writeFileAtomicModeSync(path.join(dir, 'record.json'), JSON.stringify(p.record, null, 2), 0o600);
  }

  async saveRecord(record: PlaygroundRecord): Promise<void> {
    await writeFileAtomicMode(path.join(this.dir(record.id), 'record.json'), JSON.stringify(record, null, 2), 0o600);
  }

  loadAll(): { loaded: StoredPlayground[]; problems: string[] } {
    const loaded: StoredPlayground[] = [];
    const problems: string[] = [];
    for (const id of fs.readdirSync(this.root).sort()) {
      if (!PLAYGROUND_ID.test(id)) continue;
      const dir = path.join(this.root, id);
      try {
        const record = JSON.parse(fs.readFileSync(path.join(dir, 'record.json'), 'utf8')) as PlaygroundRecord;
        const keys = JSON.parse(fs.readFileSync(path.join(dir, 'keys', 'keys.json'), 'utf8')) as {
          manifestName: string;
          userKey: KeyPair;
          hostKeys: Record<string, KeyPair>;
        };
        const manifestText = fs.readFileSync(path.join(dir, 'manifest.yaml'), 'utf8');
        loaded.push({ record, manifestText, manifestName: keys.manifestName, userKey: keys.userKey, hostKeys: keys.hostKeys });
      } catch (err) {
        problems.push(`${dir}: ${(err as Error).message}`);
      }
    }
    return { loaded, problems };
  }

  remove(id: string): void {
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }
}
