// Which running playgrounds run the content a saved file belongs to: those whose content
// source is the file's folder or one above it. Pure (no vscode), for reload-on-save.
import * as path from 'node:path';
import type { PlaygroundRecord } from '../../host-agent/api/protocol';

export function playgroundsOfContentFile(file: string, playgrounds: readonly PlaygroundRecord[]): string[] {
  return playgrounds
    .filter((p) => {
      const source = p.content?.source;
      if (!source || p.state !== 'running' || !path.isAbsolute(source)) return false;
      const rel = path.relative(source, file);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    })
    .map((p) => p.id);
}
