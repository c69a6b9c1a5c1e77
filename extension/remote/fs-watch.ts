// Change events for sandlot:// without an agent-side watcher: a poller per window that
// stats what VS Code watches (and every open sandlot:// document under a recursive
// watch) about once a second and diffs. SFTP stat/readdir of a few paths a second is
// cheap; walking whole trees is not, so recursive watches poll the root's entries and
// the open documents below it, which is what the explorer and editors show.
import type { Attributes, SFTPWrapper, Stats } from 'ssh2';
import * as vscode from 'vscode';
import { DisposableStore, toDisposable } from '../util/disposables';
import { errorMessage } from '../log';
import { SFTP_NO_SUCH_FILE, sftpStatus } from './sftp-status';
import { diffSnapshots, signature as sig, type Snapshot } from './snapshot-diff';
import { parseSandlotUri, SCHEME } from './uri';

export const POLL_MS = 1_000;

interface Watch {
  uri: vscode.Uri;
  recursive: boolean;
}

interface SftpSource {
  sftpFor(uri: vscode.Uri): Promise<{ sftp: SFTPWrapper }>;
}

function p<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

export class FsWatcher implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly watches = new Set<Watch>();
  private readonly snapshots = new Map<string, Snapshot>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly source: SftpSource,
    private readonly fire: (events: vscode.FileChangeEvent[]) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.owned.add(toDisposable(() => clearTimeout(this.timer)));
  }

  watch(uri: vscode.Uri, recursive: boolean): vscode.Disposable {
    const w: Watch = { uri, recursive };
    this.watches.add(w);
    this.schedule();
    return toDisposable(() => {
      this.watches.delete(w);
      if (![...this.watches].some((x) => x.uri.toString() === uri.toString())) this.snapshots.delete(uri.toString());
    });
  }

  /** Our own write: take the new state as the baseline so it is not reported twice. */
  noteWrite(uri: vscode.Uri): void {
    this.snapshots.delete(uri.toString());
  }

  private schedule(): void {
    if (this.timer || this.owned.isDisposed || this.watches.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.schedule());
    }, POLL_MS);
  }

  /** Every URI to look at this round: the watched ones, and open documents under recursive watches. */
  private targets(): vscode.Uri[] {
    const out = new Map<string, vscode.Uri>();
    for (const w of this.watches) out.set(w.uri.toString(), w.uri);
    const recursive = [...this.watches].filter((w) => w.recursive);
    if (recursive.length > 0) {
      for (const doc of vscode.workspace.textDocuments) {
        const u = doc.uri;
        if (u.scheme !== SCHEME) continue;
        if (recursive.some((w) => w.uri.authority === u.authority && (u.path + '/').startsWith(w.uri.path.replace(/\/?$/, '/')))) {
          out.set(u.toString(), u);
        }
      }
    }
    return [...out.values()];
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const events: vscode.FileChangeEvent[] = [];
      await Promise.all(this.targets().map((uri) => this.check(uri, events)));
      if (events.length > 0) this.fire(events);
    } finally {
      this.polling = false;
    }
  }

  private async check(uri: vscode.Uri, events: vscode.FileChangeEvent[]): Promise<void> {
    let sftp: SFTPWrapper;
    try {
      ({ sftp } = await this.source.sftpFor(uri));
    } catch {
      return; // playground gone or tunnel down: nothing to say this round
    }
    const path = parseSandlotUri(uri).path;
    let next: Snapshot;
    try {
      const st = await p<Stats>((cb) => sftp.stat(path, cb)).catch((err) => {
        if (sftpStatus(err) === SFTP_NO_SUCH_FILE) return undefined;
        throw err;
      });
      if (!st) next = { kind: 'missing' };
      else if (st.isDirectory()) {
        const list = await p<{ filename: string; attrs: Attributes }[]>((cb) => sftp.readdir(path, cb));
        next = { kind: 'dir', entries: new Map(list.map((e) => [e.filename, sig(e.attrs)])) };
      } else next = { kind: 'file', sig: sig(st) };
    } catch (err) {
      this.log.debug(`watch ${uri.toString()}: ${errorMessage(err)}`);
      return;
    }
    const key = uri.toString();
    const prev = this.snapshots.get(key);
    this.snapshots.set(key, next);
    if (!prev) return; // first look: the baseline
    diff(uri, prev, next, events);
  }

  dispose(): void {
    this.watches.clear();
    this.owned.dispose();
  }
}

const CHANGE_TYPE = {
  created: vscode.FileChangeType.Created,
  changed: vscode.FileChangeType.Changed,
  deleted: vscode.FileChangeType.Deleted,
} as const;

function diff(uri: vscode.Uri, prev: Snapshot, next: Snapshot, events: vscode.FileChangeEvent[]): void {
  for (const c of diffSnapshots(prev, next)) {
    const target = c.child === undefined ? uri : uri.with({ path: uri.path.replace(/\/?$/, '/') + c.child });
    events.push({ type: CHANGE_TYPE[c.type], uri: target });
  }
}
