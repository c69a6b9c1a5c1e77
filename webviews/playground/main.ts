// Playground panel entry (bundled to dist/webviews/playground/main.js). Draws the saved
// state at once after a reload, says `ready`, then follows the host's messages. The
// countdown ticks here, once a second, touching only its own text node.
import { countdown } from './countdown';
import { dispatch, type Handlers, type LifecycleAction, type MachineAction, type ToHost, type ToWebview } from './protocol';
import { buttonKey, renderPanel, resourcesText } from './render';
import { applyMessage, restoreState, withPending, type PanelState } from './state';
import { mount } from '../tutorial/vnode';
import { vscodeApi } from '../vscode-api';

const vscode = vscodeApi<ToHost, PanelState>();
const root = document.getElementById('root')!;
let state = restoreState(vscode.getState());
let nextId = 1;

function draw(): void {
  const node = mount(document, renderPanel(state, Date.now()));
  root.replaceChildren(...(node ? [node] : []));
}

function update(next: PanelState): void {
  if (next === state) return;
  state = next;
  vscode.setState(state);
  draw();
}

const handlers: Handlers<ToWebview> = {
  show: (m) => update(applyMessage(state, m)),
  gone: (m) => update(applyMessage(state, m)),
  probe: (m) => {
    // Probes arrive every few seconds, mostly unchanged but for the memory figure: patch
    // that one text in place. A redraw replaces the buttons, and one between a mouse-down
    // and its mouse-up would swallow the click.
    const before = state.probes[m.machine];
    if (before && JSON.stringify({ ...before, memoryBytes: 0 }) === JSON.stringify({ ...m.probe, memoryBytes: 0 })) {
      state = applyMessage(state, m);
      vscode.setState(state);
      const machine = state.playground?.machines.find((x) => x.name === m.machine);
      const cell = root.querySelector(`.machine-card[data-machine="${CSS.escape(m.machine)}"] [data-field="resources"] .kv-value`);
      if (machine && cell) cell.textContent = resourcesText(machine, m.probe);
      return;
    }
    update(applyMessage(state, m));
  },
  forwards: (m) => update(applyMessage(state, m)),
  done: (m) => update(applyMessage(state, m)),
};

window.addEventListener('message', (e: MessageEvent) => dispatch(handlers, e.data));

function send(key: string, make: (id: number) => ToHost): void {
  const id = nextId++;
  update(withPending(state, id, key));
  vscode.postMessage(make(id));
}

root.addEventListener('click', (e) => {
  const el = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
  if (!el || el.disabled) return;
  const d = el.dataset;
  switch (d.action) {
    case 'extend': {
      const minutes = Number(d.minutes);
      return send(buttonKey.extend(minutes), (id) => ({ kind: 'extend', id, minutes }));
    }
    case 'lifecycle': {
      const action = d.lifecycle as LifecycleAction;
      return send(buttonKey.lifecycle(action), (id) => ({ kind: 'lifecycle', id, action }));
    }
    case 'machine': {
      const action = d.machineAction as MachineAction;
      const machine = d.machine ?? '';
      return send(buttonKey.machine(action, machine), (id) => ({ kind: 'machine', id, action, machine }));
    }
    case 'forward': {
      const machine = d.machine ?? '';
      const port = Number(d.port);
      const open = d.open === 'true';
      return send(buttonKey.forward(machine, port, open), (id) => ({ kind: 'forward', id, machine, port, open }));
    }
  }
});

function tick(): void {
  root.querySelectorAll<HTMLElement>('.countdown[data-deadline]').forEach((el) => {
    const c = countdown(el.dataset.deadline ?? '', Date.now());
    if (el.textContent !== c.text) el.textContent = c.text;
    if (el.dataset.level !== c.level) el.dataset.level = c.level;
  });
}
setInterval(tick, 1000);

draw();
vscode.postMessage({ kind: 'ready' });
