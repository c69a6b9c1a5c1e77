// Tutorial webview entry (bundled to dist/webviews/tutorial/main.js). Draws the saved
// state at once after a reload, says `ready`, then follows the host's messages.
import type { Handlers, HostBound } from '../shared/protocol';
import { mount } from '../shared/vnode';
import { connectToHost, vscodeApi } from '../shared/vscode-api';
import type { ToWebview, TutorialProtocol } from './protocol';
import { renderView } from './render';
import { renderCourse, renderEmpty, renderPath } from './render-reading';
import { applyMessage, restoreState, withAnswerPending, withCoursePage, withVerdict, type WebviewState } from './state';

const vscode = vscodeApi<HostBound<TutorialProtocol>, WebviewState>();
const root = document.getElementById('root')!;
let state = restoreState(vscode.getState());

function save(): void {
  vscode.setState(state);
}

function draw(): void {
  // Keep the learner's caret when a task update re-draws the page under their typing.
  const focused = document.activeElement instanceof HTMLInputElement ? document.activeElement : undefined;
  const focusTask = focused?.dataset.task;
  const caret = focused?.selectionStart ?? null;
  const tree = state.view
    ? renderView(state.view, state.drafts, state.answers)
    : state.reading
      ? state.reading.type === 'skill-path'
        ? renderPath(state.reading)
        : renderCourse(state.reading, state.coursePage)
      : renderEmpty(state.empty, state.catalog);
  const node = mount(document, tree);
  root.replaceChildren(...(node ? [node] : []));
  if (focusTask) {
    const input = root.querySelector<HTMLInputElement>(`input[data-task="${CSS.escape(focusTask)}"]`);
    input?.focus();
    if (input && caret !== null) input.setSelectionRange(caret, caret);
  }
}

const notices: Handlers<ToWebview> = {
  show: (m) => update(applyMessage(state, m), true),
  empty: (m) => update(applyMessage(state, m)),
  showReading: (m) => update(applyMessage(state, m), true),
  task: (m) => update(applyMessage(state, m)),
  contentState: (m) => update(applyMessage(state, m)),
};

function update(next: WebviewState, restoreScroll = false): void {
  if (next === state) return;
  state = next;
  save();
  draw();
  if (restoreScroll) window.scrollTo(0, state.scrollY);
}

const host = connectToHost<TutorialProtocol, WebviewState>(vscode, notices);

root.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-action]') : null;
  if (!target) return;
  const action = target.dataset.action;
  const text = target.dataset.text ?? '';
  if (action === 'run') host.post({ kind: 'runInTerminal', command: text, interrupt: 'interrupt' in target.dataset });
  else if (action === 'copy') {
    host.post({ kind: 'copy', text });
    flash(target, 'Copied');
  } else if (action === 'link') {
    e.preventDefault();
    host.post({ kind: 'openLink', url: target.dataset.url ?? '' });
  } else if (action === 'start-content') {
    host.post({ kind: 'startContent', source: target.dataset.source ?? '' });
    flash(target, 'Starting…');
  } else if (action === 'open-playground') host.post({ kind: 'openPlayground', playground: target.dataset.playground ?? '' });
  else if (action === 'open-reading') host.post({ kind: 'openReading' });
  else if (action === 'open-entry') host.post({ kind: 'openCatalogEntry', source: target.dataset.source ?? '' });
  else if (action === 'course-page') update(withCoursePage(state, target.dataset.page ?? ''), true);
});

root.addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.target instanceof HTMLFormElement ? e.target : undefined;
  const task = form?.dataset.task;
  const input = form?.querySelector<HTMLInputElement>('input[name="answer"]');
  if (!task || !input) return;
  update(withAnswerPending(state, task));
  host.request('submitInput', { task, value: input.value }).then(
    (verdict) => update(withVerdict(state, task, verdict)),
    (err: Error) => update(withVerdict(state, task, { ok: false, message: `Not checked: ${err.message}` })),
  );
});

root.addEventListener('input', (e) => {
  const input = e.target instanceof HTMLInputElement ? e.target : undefined;
  if (!input?.dataset.task) return;
  state.drafts[input.dataset.task] = input.value;
  save();
});

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  // Debounced: setState serialises the whole view, too heavy for every scroll frame.
  scrollTimer = window.setTimeout(() => {
    state.scrollY = window.scrollY;
    save();
  }, 200);
});

function flash(el: HTMLElement, text: string): void {
  const before = el.textContent;
  el.textContent = text;
  setTimeout(() => (el.textContent = before), 1200);
}

draw();
window.scrollTo(0, state.scrollY);
host.post({ kind: 'ready' });
