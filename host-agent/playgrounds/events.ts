// One event stream per playground: the WebSocket route, the CLI's progress lines and
// the extension's progress notification all follow it. A short history lets a late
// subscriber (the CLI connects right after POST) see the steps it missed.
import type { PlaygroundEvent } from '../api/protocol';

type Listener = (e: PlaygroundEvent) => void;

const HISTORY = 200;

export class PlaygroundEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly history = new Map<string, PlaygroundEvent[]>();

  emit(id: string, event: PlaygroundEvent): void {
    const past = this.history.get(id) ?? [];
    past.push(event);
    if (past.length > HISTORY) past.splice(0, past.length - HISTORY);
    this.history.set(id, past);
    for (const l of this.listeners.get(id) ?? []) l(event);
  }

  recent(id: string): PlaygroundEvent[] {
    return [...(this.history.get(id) ?? [])];
  }

  subscribe(id: string, listener: Listener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  forget(id: string): void {
    this.history.delete(id);
  }
}

export const now = (): string => new Date().toISOString();
