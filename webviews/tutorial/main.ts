// Tutorial webview entry (bundled to dist/webviews/tutorial/main.js). Draws the saved
// state at once after a reload, says `ready`, then follows the host's messages.
import { dispatch, type Handlers, type ToHost, type ToWebview } from './protocol';
import { renderView } from './render';
import { applyMessage, restoreState, type WebviewState } from './state';
import { h, mount } from './vnode';
import { vscodeApi } from '../vscode-api';

const vscode = vscodeApi<ToHost, WebviewState>();
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
    : h('div', { class: 'tutorial-empty' }, h('p', null, state.empty ?? 'Loading…'), h('p', null, 'Open one with "Sandlot: Open Tutorial…".'));
  const node = mount(document, tree);
  root.replaceChildren(...(node ? [node] : []));
  if (focusTask) {
    const input = root.querySelector<HTMLInputElement>(`input[data-task="${CSS.escape(focusTask)}"]`);
    input?.focus();
    if (input && caret !== null) input.setSelectionRange(caret, caret);
  }
}

let nextId = 1;

const handlers: Handlers<ToWebview> = {
  show: (m) => update(m, true),
  empty: (m) => update(m, false),
  task: (m) => update(m, false),
  contentState: (m) => update(m, false),
  inputResult: (m) => update(m, false),
};

function update(m: ToWebview, restoreScroll: boolean): void {
  const next = applyMessage(state, m);
  if (next === state) return;
  state = next;
  save();
  draw();
  if (restoreScroll) window.scrollTo(0, state.scrollY);
}

window.addEventListener('message', (e: MessageEvent) => dispatch(handlers, e.data));

root.addEventListener('click', (e) => {
  const target = (e.target as Element).closest<HTMLElement>('[data-action]');
  if (!target) return;
  const action = target.dataset.action;
  const text = target.dataset.text ?? '';
  if (action === 'run') vscode.postMessage({ kind: 'runInTerminal', command: text, interrupt: 'interrupt' in target.dataset });
  else if (action === 'copy') {
    vscode.postMessage({ kind: 'copy', text });
    flash(target, 'Copied');
  } else if (action === 'link') {
    e.preventDefault();
    vscode.postMessage({ kind: 'openLink', url: target.dataset.url ?? '' });
  }
});

root.addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.target as HTMLFormElement;
  const task = form.dataset.task;
  const input = form.querySelector<HTMLInputElement>('input[name="answer"]');
  if (!task || !input) return;
  const id = nextId++;
  state = { ...state, answers: { ...state.answers, [task]: { ok: false, pending: true, message: 'Checking your answer…' } } };
  draw();
  vscode.postMessage({ kind: 'submitInput', id, task, value: input.value });
});

root.addEventListener('input', (e) => {
  const input = e.target as HTMLInputElement;
  if (!input.dataset.task) return;
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
vscode.postMessage({ kind: 'ready' });
