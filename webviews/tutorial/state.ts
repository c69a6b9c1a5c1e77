// The webview's persisted state (vscode.setState/getState) and how host messages change
// it. Pure, so reload behaviour is unit-tested: a reloaded webview draws the saved view at
// once, then the host's fresh `show` replaces the data but keeps drafts and scroll.
import type { TaskRecord } from '../../host-agent/api/protocol';
import type { AnswerVerdict, CatalogEntry, ReadingView, ToWebview, TutorialView } from './protocol';

export interface WebviewState {
  version: 1;
  view?: TutorialView;
  /** A skill path or course being read (never together with `view`). */
  reading?: ReadingView;
  /** The course page shown: '' (or unset) for the course's own page, else a lesson's folder. */
  coursePage?: string;
  empty?: string;
  /** What can be opened, listed while nothing is shown. */
  catalog?: CatalogEntry[];
  /** Unsent answers to user-input tasks, by task. */
  drafts: Record<string, string>;
  /** The verdict on each task's last submitted answer, shown under its input box. */
  answers: Record<string, AnswerResult>;
  scrollY: number;
}

export interface AnswerResult {
  ok: boolean;
  message: string;
  /** Sent, no verdict yet. */
  pending?: boolean;
}

export const initialState = (): WebviewState => ({ version: 1, drafts: {}, answers: {}, scrollY: 0 });

/** Accepts what getState() returned; anything of another shape or version starts fresh. */
export function restoreState(saved: unknown): WebviewState {
  if (typeof saved !== 'object' || saved === null) return initialState();
  const s = saved as Partial<WebviewState>;
  if (s.version !== 1) return initialState();
  const drafts: Record<string, string> = {};
  if (s.drafts && typeof s.drafts === 'object') for (const [k, v] of Object.entries(s.drafts)) if (typeof v === 'string') drafts[k] = v;
  const answers: Record<string, AnswerResult> = {};
  if (s.answers && typeof s.answers === 'object') {
    for (const [k, v] of Object.entries(s.answers)) {
      if (v && typeof v === 'object' && typeof v.ok === 'boolean' && typeof v.message === 'string') answers[k] = { ok: v.ok, message: v.message };
    }
  }
  const view = s.view && typeof s.view === 'object' && typeof s.view.playground === 'string' && Array.isArray(s.view.pages) ? s.view : undefined;
  const r = s.reading;
  const reading =
    !view && r && typeof r === 'object' && (r.type === 'skill-path' || r.type === 'course') && typeof r.dir === 'string' && typeof r.intro === 'object'
      ? r
      : undefined;
  return {
    version: 1,
    view,
    reading,
    coursePage: reading && typeof s.coursePage === 'string' ? s.coursePage : undefined,
    empty: view || reading ? undefined : typeof s.empty === 'string' ? s.empty : undefined,
    catalog:
      !view && !reading && Array.isArray(s.catalog) ? s.catalog.filter((c) => c && typeof c.title === 'string' && typeof c.source === 'string') : undefined,
    drafts,
    answers,
    scrollY: typeof s.scrollY === 'number' && s.scrollY >= 0 ? s.scrollY : 0,
  };
}

/** The state after a host message (returns the same object when nothing visible changed). */
export function applyMessage(state: WebviewState, m: ToWebview): WebviewState {
  switch (m.kind) {
    case 'show': {
      // Another playground's content: its drafts and scroll position mean nothing here.
      const same = state.view?.playground === m.view.playground;
      const shown = { ...state, view: m.view, reading: undefined, coursePage: undefined, empty: undefined, catalog: undefined };
      return same ? shown : { ...shown, drafts: {}, answers: {}, scrollY: 0 };
    }
    case 'showReading': {
      // The same path or course again (new states): stay on the page and at the place the learner was.
      const same = state.reading?.type === m.view.type && state.reading.dir === m.view.dir;
      const shown = { ...state, view: undefined, reading: m.view, empty: undefined, catalog: undefined };
      return same ? shown : { ...shown, coursePage: undefined, drafts: {}, answers: {}, scrollY: 0 };
    }
    case 'empty':
      return { ...state, view: undefined, reading: undefined, coursePage: undefined, empty: m.reason, catalog: m.catalog, drafts: {}, answers: {}, scrollY: 0 };
    case 'task':
      return state.view ? { ...state, view: withTask(state.view, m.task) } : state;
    case 'contentState':
      return state.view ? { ...state, view: { ...state.view, content: m.content } } : state;
  }
}

/** The learner moved to another page of the course (back at its top). */
export function withCoursePage(state: WebviewState, page: string): WebviewState {
  return state.reading?.type === 'course' ? { ...state, coursePage: page, scrollY: 0 } : state;
}

/** An answer was sent: its box says so until the verdict comes. */
export function withAnswerPending(state: WebviewState, task: string): WebviewState {
  return { ...state, answers: { ...state.answers, [task]: { ok: false, pending: true, message: 'Checking your answer…' } } };
}

/** The host's verdict on an answer (the result of its `submitInput` request). */
export function withVerdict(state: WebviewState, task: string, verdict: AnswerVerdict): WebviewState {
  // A right answer needs no draft any more; a wrong one stays in the box to be fixed.
  const drafts = { ...state.drafts };
  if (verdict.ok) delete drafts[task];
  return { ...state, drafts, answers: { ...state.answers, [task]: { ok: verdict.ok, message: verdict.message } } };
}

function withTask(view: TutorialView, task: TaskRecord): TutorialView {
  if (task.hidden || task.kind === 'helper') return view;
  return { ...view, tasks: { ...view.tasks, [task.name]: task } };
}
