// Panel state → VNode tree. Pure (unit-tested without a browser); buttons carry
// `data-action` and their arguments, main.ts turns clicks into ToHost requests.
import type { MachineRecord, PlaygroundRecord } from '../../host-agent/api/protocol';
import { h, type Child, type VNode } from '../shared/vnode';
import { countdown, formatBytes } from './countdown';
import type { Forward, ListeningPort, MachineProbe } from './protocol';
import type { PanelState } from './state';

/** Which button a request belongs to (the busy marker and tests use it). */
export const buttonKey = {
  extend: (minutes: number) => `extend:${minutes}`,
  lifecycle: (action: string) => `lifecycle:${action}`,
  machine: (action: string, machine: string) => `machine:${action}:${machine}`,
  forward: (machine: string, port: number, open: boolean) => `forward:${machine}:${port}:${open ? 'open' : 'fwd'}`,
};

export const EXTEND_CHOICES = [
  { minutes: 30, label: '+30 min' },
  { minutes: 60, label: '+1 h' },
];

const LIVE_STATES = new Set(['running', 'stopped', 'lost', 'starting', 'stopping', 'provisioning']);

export function renderPanel(state: PanelState, now: number): VNode {
  const pg = state.playground;
  if (!pg) {
    return h('div', { class: 'pg-empty' }, h('p', null, state.gone ?? (state.playgroundId ? `Loading ${state.playgroundId}…` : 'No playground.')));
  }
  const busy = new Set(state.pending);
  return h(
    'div',
    { class: `playground-panel${state.gone ? ' is-gone' : ''}`, 'data-playground': pg.id, 'data-state': state.gone ? 'gone' : pg.state },
    renderHeader(pg, state, busy, now),
    state.gone
      ? undefined
      : h(
          'section',
          { class: 'machines' },
          pg.machines.map((m) => renderMachine(pg, m, state.probes[m.name], state.forwards, busy)),
        ),
  );
}

function renderHeader(pg: PlaygroundRecord, state: PanelState, busy: Set<string>, now: number): VNode {
  const left = countdown(pg.deadline, now);
  const live = !state.gone && LIVE_STATES.has(pg.state);
  const button = (key: string, label: string, attrs: Record<string, string>, extra = '') =>
    h('button', { class: `action${extra}`, ...attrs, disabled: busy.has(key) ? 'true' : undefined, 'aria-busy': busy.has(key) ? 'true' : undefined }, label);
  return h(
    'header',
    { class: 'pg-header' },
    h(
      'div',
      { class: 'pg-title' },
      h('h1', null, pg.title || pg.id),
      h('span', { class: `badge state-${state.gone ? 'gone' : pg.state}` }, state.gone ? 'gone' : pg.state),
    ),
    h('div', { class: 'pg-meta' }, h('code', { class: 'pg-id' }, pg.id), ` · template ${pg.template} · driver ${pg.driver}`),
    state.gone
      ? h('p', { class: 'pg-gone', role: 'alert' }, state.gone)
      : h(
          'div',
          { class: 'pg-time' },
          h('span', { class: 'pg-time-label' }, 'Time left '),
          // main.ts re-writes this text every second from data-deadline; render gives the first value.
          h('span', { class: 'countdown', 'data-deadline': pg.deadline, 'data-level': left.level, title: `until ${pg.deadline}` }, left.text),
          live
            ? EXTEND_CHOICES.map((c) =>
                button(
                  buttonKey.extend(c.minutes),
                  c.label,
                  { 'data-action': 'extend', 'data-minutes': String(c.minutes), title: `Extend the lifetime by ${c.label.slice(1)}` },
                  ' action-secondary',
                ),
              )
            : [],
        ),
    state.gone
      ? undefined
      : h(
          'div',
          { class: 'pg-actions' },
          pg.state === 'running'
            ? button(buttonKey.lifecycle('stop'), 'Stop', { 'data-action': 'lifecycle', 'data-lifecycle': 'stop' }, ' action-secondary')
            : undefined,
          pg.state === 'stopped' || pg.state === 'lost'
            ? button(buttonKey.lifecycle('start'), 'Start', { 'data-action': 'lifecycle', 'data-lifecycle': 'start' })
            : undefined,
          pg.state === 'running' || pg.state === 'stopped'
            ? [
                button(
                  buttonKey.lifecycle('snapshot'),
                  'Snapshot…',
                  { 'data-action': 'lifecycle', 'data-lifecycle': 'snapshot', title: 'Freeze the machines into a snapshot' },
                  ' action-secondary',
                ),
                button(
                  buttonKey.lifecycle('fork'),
                  'Fork',
                  { 'data-action': 'lifecycle', 'data-lifecycle': 'fork', title: 'A new playground with this state (new keys)' },
                  ' action-secondary',
                ),
                button(
                  buttonKey.lifecycle('saveAsTemplate'),
                  'Save as Template…',
                  { 'data-action': 'lifecycle', 'data-lifecycle': 'saveAsTemplate', title: 'A template of your own that starts with this state' },
                  ' action-secondary',
                ),
              ]
            : undefined,
          button(buttonKey.lifecycle('destroy'), 'Destroy…', { 'data-action': 'lifecycle', 'data-lifecycle': 'destroy' }, ' action-danger'),
        ),
    pg.error && !state.gone ? h('p', { class: 'pg-error' }, pg.error) : undefined,
    state.notice ? h('p', { class: 'pg-notice', role: 'alert' }, state.notice) : undefined,
  );
}

function renderMachine(pg: PlaygroundRecord, m: MachineRecord, probe: MachineProbe | undefined, forwards: Forward[], busy: Set<string>): VNode {
  const usable = pg.state === 'running' && m.state === 'running' && !m.noSSH;
  const addresses = uniq([...(m.address ? [m.address] : []), ...(probe?.addresses ?? [])]);
  const action = (a: string, label: string) =>
    h(
      'button',
      {
        class: 'action action-secondary',
        'data-action': 'machine',
        'data-machine-action': a,
        'data-machine': m.name,
        disabled: !usable || busy.has(buttonKey.machine(a, m.name)) ? 'true' : undefined,
      },
      label,
    );
  return h(
    'div',
    { class: 'machine-card', 'data-machine': m.name, 'data-state': m.state },
    h('div', { class: 'machine-title' }, h('h2', null, m.name), h('span', { class: `badge state-${m.state}` }, m.state)),
    h(
      'div',
      { class: 'kv' },
      row('IP', addresses.length ? addresses.join(', ') : '—', 'ip'),
      row('User', m.users.length > 1 ? `${m.defaultUser} (also ${m.users.filter((u) => u !== m.defaultUser).join(', ')})` : m.defaultUser, 'user'),
      row('Resources', resourcesText(m, probe), 'resources'),
    ),
    m.error ? h('p', { class: 'pg-error' }, m.error) : undefined,
    m.noSSH
      ? h('p', { class: 'muted' }, 'No SSH (noSSH in the manifest): no terminal, folder or port list.')
      : h(
          'div',
          { class: 'machine-actions' },
          action('openTerminal', 'Open Terminal'),
          action('openFolder', 'Open Folder'),
          action('copySshCommand', 'Copy SSH command'),
        ),
    m.noSSH
      ? undefined
      : renderPorts(
          m.name,
          usable,
          probe,
          forwards.filter((f) => f.machine === m.name),
          busy,
        ),
  );
}

/** `1 CPU · 1Gi RAM, using 42 MiB`: the card's resources line (main.ts patches it in place). */
export function resourcesText(m: MachineRecord, probe: MachineProbe | undefined): string {
  const memory = [
    m.resources.ramSize ? `${m.resources.ramSize} RAM` : undefined,
    probe?.memoryBytes !== undefined ? `using ${formatBytes(probe.memoryBytes)}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return [`${m.resources.cpuCount} CPU`, memory].filter(Boolean).join(' · ');
}

function row(key: string, value: string, name: string): VNode {
  return h('div', { class: 'kv-row', 'data-field': name }, h('span', { class: 'kv-key' }, key), h('span', { class: 'kv-value' }, value));
}

function renderPorts(machine: string, usable: boolean, probe: MachineProbe | undefined, forwards: Forward[], busy: Set<string>): VNode {
  let body: Child;
  if (!usable) body = h('p', { class: 'muted' }, 'Ports are read while the machine runs.');
  else if (!probe) body = h('p', { class: 'muted' }, 'Looking for listening ports…');
  else if (probe.error) body = h('p', { class: 'ports-error' }, `Cannot read the ports: ${probe.error}`);
  else if (probe.ports.length === 0) body = h('p', { class: 'muted ports-none' }, 'Nothing listens on a TCP port yet.');
  else
    body = h(
      'ul',
      { class: 'ports' },
      probe.ports.map((p) =>
        renderPort(
          machine,
          p,
          forwards.find((f) => f.port === p.port),
          busy,
        ),
      ),
    );
  return h('div', { class: 'ports-section' }, h('h3', null, 'Listening ports'), body);
}

function renderPort(machine: string, p: ListeningPort, fwd: Forward | undefined, busy: Set<string>): VNode {
  const btn = (open: boolean, label: string) => {
    const key = buttonKey.forward(machine, p.port, open);
    return h(
      'button',
      {
        class: `action${open ? '' : ' action-secondary'}`,
        'data-action': 'forward',
        'data-machine': machine,
        'data-port': String(p.port),
        'data-open': open ? 'true' : undefined,
        disabled: busy.has(key) ? 'true' : undefined,
      },
      label,
    );
  };
  return h(
    'li',
    { class: 'port', 'data-port': String(p.port) },
    h('code', { class: 'port-number' }, String(p.port)),
    h('span', { class: 'port-addresses muted', title: 'bound addresses' }, p.addresses.join(', ')),
    fwd ? h('span', { class: 'forward-local', 'data-local-port': String(fwd.local), title: fwd.url }, `→ 127.0.0.1:${fwd.local}`) : btn(false, 'Forward'),
    btn(true, 'Open in Browser'),
  );
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}
