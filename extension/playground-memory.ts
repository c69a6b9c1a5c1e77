// What the extension remembers across windows (globalState): the template each
// playground came from (to re-create an expired one) and aliases redirected to a
// re-created playground (so an old Remote-SSH window's host still connects).
import type * as vscode from 'vscode';
import type { PlaygroundRecord } from '../host-agent/api/protocol';
import type { AliasRedirects } from './remote/remote-ssh';

const TEMPLATES = 'sandlot.templates';
const REDIRECTS = 'sandlot.aliasRedirects';

export class PlaygroundMemory {
  constructor(private readonly state: vscode.Memento) {}

  templateOf(id: string): string | undefined {
    return this.state.get<Record<string, string>>(TEMPLATES, {})[id];
  }

  remember(record: PlaygroundRecord): void {
    if (record.template === 'custom') return;
    void this.state.update(TEMPLATES, { ...this.state.get<Record<string, string>>(TEMPLATES, {}), [record.id]: record.template });
  }

  redirects(): AliasRedirects {
    return this.state.get<AliasRedirects>(REDIRECTS, {});
  }

  async redirect(from: string, to: string): Promise<void> {
    const all = { ...this.redirects() };
    // Chains collapse: anything that pointed at `from` now points at `to`.
    for (const [k, v] of Object.entries(all)) if (v === from) all[k] = to;
    all[from] = to;
    await this.state.update(REDIRECTS, all);
  }
}
