// Watches a content folder for an author's edits (`sandlot content start --watch`): one
// call per burst of changes (an editor's save is several events: temp file, rename,
// attribute change), never two at once — a change during a call makes one more call
// after it. Dot folders (.git, .vscode) and editor swap files are not content.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Long enough to fold one save's events together, short enough to feel at once. */
const DEFAULT_QUIET_MS = 150;

export interface FolderWatch {
  close(): void;
}

export function isContentChange(rel: string): boolean {
  const parts = rel.split(path.sep);
  if (parts.some((p) => p.startsWith('.') && p !== '.solution.sh' && !/^\.solution-\d+\.sh$/.test(p))) return false;
  const base = parts[parts.length - 1];
  return !/(~|\.swp|\.swx|\.tmp)$/.test(base) && !/^\d+$/.test(base); // vim writes a probe file named 4913
}

export function watchContentFolder(dir: string, onChange: (files: string[]) => Promise<void>, opts: { quietMs?: number } = {}): FolderWatch {
  const quiet = opts.quietMs ?? DEFAULT_QUIET_MS;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let closed = false;
  const fire = async () => {
    timer = undefined;
    if (running || closed || pending.size === 0) return;
    running = true;
    const files = [...pending].sort();
    pending = new Set();
    try {
      await onChange(files);
    } finally {
      running = false;
      if (pending.size > 0 && !closed) timer = setTimeout(() => void fire(), quiet);
    }
  };
  // Recursive watching is native on Linux from Node 20 on.
  const watcher = fs.watch(dir, { recursive: true }, (_event, name) => {
    if (!name || !isContentChange(name.toString())) return;
    pending.add(name.toString());
    if (running) return;
    clearTimeout(timer);
    timer = setTimeout(() => void fire(), quiet);
  });
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
