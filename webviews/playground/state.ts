// The panel's persisted state (vscode.setState/getState) and how host messages change it.
// Pure, so reload behaviour is unit-tested: a reloaded panel draws the saved playground at
// once, then the host's fresh `show` and probes replace it.
import type { PlaygroundRecord } from '../../host-agent/api/protocol';
import type { Forward, MachineProbe, ToWebview } from './protocol';

export interface PanelState {
  version: 1;
  /** The playground this panel shows; also what the host's serializer reopens. */
  playgroundId?: string;
  playground?: PlaygroundRecord;
  gone?: string;
  probes: Record<string, MachineProbe>;
  forwards: Forward[];
  /** Keys of the buttons whose request the host has not answered yet. */
  pending: string[];
  /** The last failed request's message (cleared by the next success). */
  notice?: string;
}

export const initialState = (playgroundId?: string): PanelState => ({ version: 1, playgroundId, probes: {}, forwards: [], pending: [] });

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** Accepts what getState() returned; anything of another shape or version starts fresh. */
export function restoreState(saved: unknown): PanelState {
  if (!isObject(saved) || saved.version !== 1) return initialState();
  const id = typeof saved.playgroundId === 'string' ? saved.playgroundId : undefined;
  const s = initialState(id);
  const pg = saved.playground;
  if (isObject(pg) && pg.id === id && Array.isArray(pg.machines) && typeof pg.deadline === 'string') {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- this webview's own setState wrote it; the checks above turn away any other shape
    s.playground = pg as unknown as PlaygroundRecord;
  }
  if (typeof saved.gone === 'string') s.gone = saved.gone;
  // Probes and forwards are not restored: ports are re-read at once, and forwards die with
  // the extension host that a window reload restarts.
  return s;
}

/** The state after a host message (the same object when nothing visible changed). */
export function applyMessage(state: PanelState, m: ToWebview): PanelState {
  switch (m.kind) {
    case 'show': {
      const same = state.playgroundId === m.playground.id;
      const base = same ? state : { ...initialState(m.playground.id), pending: state.pending };
      return { ...base, playgroundId: m.playground.id, playground: m.playground, gone: undefined };
    }
    case 'gone':
      if (state.playgroundId && state.playgroundId !== m.playground) return state;
      return { ...state, playgroundId: m.playground, gone: m.reason, probes: {}, forwards: [] };
    case 'probe':
      return { ...state, probes: { ...state.probes, [m.machine]: m.probe } };
    case 'forwards':
      return { ...state, forwards: m.forwards };
  }
}

/** A button's request was sent: the button shows busy until it is answered. */
export function withPending(state: PanelState, key: string): PanelState {
  return { ...state, pending: [...state.pending, key], notice: undefined };
}

/** A button's request was answered: not busy any more; a failure's message shows. */
export function withAnswered(state: PanelState, key: string, error?: string): PanelState {
  const i = state.pending.indexOf(key);
  const pending = i < 0 ? state.pending : [...state.pending.slice(0, i), ...state.pending.slice(i + 1)];
  return { ...state, pending, notice: error };
}
