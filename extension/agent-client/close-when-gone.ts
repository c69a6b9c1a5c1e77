// Local things that serve one playground (port forwards, http-port proxies) hold local
// ports and sockets: they close once their playground is gone from the agent's list.
import type * as vscode from 'vscode';

/** What is needed of the agent connection: its state and its playground list. */
export interface PlaygroundList {
  readonly state: { kind: string };
  readonly onDidChangePlaygrounds: vscode.Event<readonly { id: string }[]>;
}

/**
 * Watches the playground list and closes (and drops) every entry of `entries` whose
 * playground is no longer listed. Not on a disconnect: the list is empty then too, and
 * the agent may come back with the playgrounds.
 */
export function closeWhenGone<V>(
  agent: PlaygroundList,
  entries: Map<string, V>,
  playgroundOf: (value: V) => string,
  close: (value: V, key: string) => void,
): vscode.Disposable {
  return agent.onDidChangePlaygrounds((list) => {
    if (agent.state.kind !== 'connected') return;
    const ids = new Set(list.map((p) => p.id));
    for (const [key, value] of entries) {
      if (ids.has(playgroundOf(value))) continue;
      entries.delete(key);
      close(value, key);
    }
  });
}
