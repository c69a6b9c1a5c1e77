// Playground panel entry (bundled to dist/webviews/playground/main.js). Draws the saved
// state at once after a reload, says `ready`, then follows the host's messages. The
// countdown ticks here, once a second, touching only its own text node.
import { countdown } from './countdown';
import type { Handlers, HostBound } from '../shared/protocol';
import { mount } from '../shared/vnode';
import { connectToHost, vscodeApi } from '../shared/vscode-api';
import type { LifecycleAction, MachineAction, PlaygroundPanelProtocol, ToWebview } from './protocol';
import { buttonKey, renderPanel, resourcesText } from './render';
import { applyMessage, restoreState, withAnswered, withPending, type PanelState } from './state';

const vscode = vscodeApi<HostBound<PlaygroundPanelProtocol>, PanelState>();
const root = document.getElementById('root')!;
let state = restoreState(vscode.getState());

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

const notices: Handlers<ToWebview> = {
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
};

const host = connectToHost<PlaygroundPanelProtocol, PanelState>(vscode, notices);

/** Runs a button's request: the button is busy until the host answers, and a failure shows. */
function press(key: string, request: Promise<void>): void {
  update(withPending(state, key));
  request.then(
    () => update(withAnswered(state, key)),
    (err: Error) => update(withAnswered(state, key, err.message)),
  );
}

const LIFECYCLE: readonly LifecycleAction[] = ['stop', 'start', 'destroy', 'snapshot', 'fork', 'saveAsTemplate'];
const MACHINE: readonly MachineAction[] = ['openTerminal', 'openFolder', 'copySshCommand'];
const oneOf = <T extends string>(choices: readonly T[], value: string | undefined): T | undefined => choices.find((c) => c === value);

root.addEventListener('click', (e) => {
  const el = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('button[data-action]') : null;
  if (!el || el.disabled) return;
  const d = el.dataset;
  switch (d.action) {
    case 'extend': {
      const minutes = Number(d.minutes);
      return press(buttonKey.extend(minutes), host.request('extend', { minutes }));
    }
    case 'lifecycle': {
      const action = oneOf(LIFECYCLE, d.lifecycle);
      if (action) press(buttonKey.lifecycle(action), host.request('lifecycle', { action }));
      return;
    }
    case 'machine': {
      const action = oneOf(MACHINE, d.machineAction);
      const machine = d.machine ?? '';
      if (action) press(buttonKey.machine(action, machine), host.request('machine', { action, machine }));
      return;
    }
    case 'forward': {
      const machine = d.machine ?? '';
      const port = Number(d.port);
      const open = d.open === 'true';
      return press(buttonKey.forward(machine, port, open), host.request('forward', { machine, port, open }));
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
host.post({ kind: 'ready' });
