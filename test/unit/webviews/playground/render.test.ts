import { describe, expect, it } from 'vitest';
import { buttonKey, renderPanel, resourcesText } from '../../../../webviews/playground/render';
import { applyMessage, initialState, withAnswered, withPending, type PanelState } from '../../../../webviews/playground/state';
import { textOf, walk, type VNode } from '../../../../webviews/shared/vnode';
import { NOW, record } from './fixtures';

const shown = (r = record()): PanelState => applyMessage(initialState(), { kind: 'show', playground: r });
const all = (v: VNode) => [...walk(v)];
const byClass = (v: VNode, cls: string) => all(v).filter((n) => (n.attrs?.class ?? '').split(' ').includes(cls));
const card = (v: VNode, machine: string) => all(v).find((n) => n.attrs?.class === 'machine-card' && n.attrs['data-machine'] === machine)!;
const buttons = (v: VNode) => all(v).filter((n) => n.tag === 'button');

describe('renderPanel', () => {
  it('shows title, id, template, state and the time left', () => {
    const v = renderPanel(shown(), NOW);
    expect(v.attrs).toMatchObject({ 'data-playground': 'pg-abc123', 'data-state': 'running' });
    const text = textOf(v);
    expect(text).toContain('Multi');
    expect(text).toContain('pg-abc123');
    expect(text).toContain('template linux-multi');
    const cd = byClass(v, 'countdown')[0];
    expect(textOf(cd)).toBe('1:30:00');
    expect(cd.attrs).toMatchObject({ 'data-deadline': '2026-11-21T12:00:00.000Z', 'data-level': 'ok' });
  });

  it('offers extend, stop, snapshot, fork, save as template and destroy while running; start instead of stop when stopped', () => {
    const labels = (v: VNode) => buttons(byClass(v, 'pg-header')[0]).map(textOf);
    const state = ['Snapshot…', 'Fork', 'Save as Template…'];
    expect(labels(renderPanel(shown(), NOW))).toEqual(['+30 min', '+1 h', 'Stop', ...state, 'Destroy…']);
    expect(labels(renderPanel(shown(record({ state: 'stopped' })), NOW))).toEqual(['+30 min', '+1 h', 'Start', ...state, 'Destroy…']);
    const fork = buttons(renderPanel(shown(), NOW)).find((b) => textOf(b) === 'Fork')!;
    expect(fork.attrs).toMatchObject({ 'data-action': 'lifecycle', 'data-lifecycle': 'fork' });
    expect(labels(renderPanel(shown(record({ state: 'provisioning' })), NOW))).not.toContain('Fork');
    const extend = buttons(renderPanel(shown(), NOW)).find((b) => textOf(b) === '+1 h')!;
    expect(extend.attrs).toMatchObject({ 'data-action': 'extend', 'data-minutes': '60' });
  });

  it('a card per machine with state, IP, users, resources and its actions', () => {
    let s = shown();
    s = applyMessage(s, { kind: 'probe', machine: 'dev', probe: { ports: [], addresses: ['10.77.0.2', '172.20.0.5'], memoryBytes: 42 * 1024 * 1024 } });
    const dev = card(renderPanel(s, NOW), 'dev');
    expect(dev.attrs!['data-state']).toBe('running');
    const field = (name: string) => textOf(all(dev).find((n) => n.attrs?.['data-field'] === name)!);
    expect(field('ip')).toBe('IP10.77.0.2, 172.20.0.5');
    expect(field('user')).toBe('Userroot (also laborant)');
    expect(field('resources')).toBe('Resources2 CPU · 1Gi RAM, using 42 MiB');
    expect(buttons(dev).map(textOf)).toEqual(['Open Terminal', 'Open Folder', 'Copy SSH command']);
    expect(buttons(dev).every((b) => b.attrs!.disabled === undefined)).toBe(true);
    expect(textOf(dev)).toContain('Nothing listens on a TCP port yet.');
  });

  it('a noSSH machine gets no terminal, folder or port list', () => {
    const db = card(renderPanel(shown(), NOW), 'db');
    expect(buttons(db)).toHaveLength(0);
    expect(textOf(db)).toContain('No SSH');
    expect(byClass(db, 'ports-section')).toHaveLength(0);
  });

  it('lists ports with Forward and Open in Browser, and the local address once forwarded', () => {
    let s = shown();
    s = applyMessage(s, {
      kind: 'probe',
      machine: 'dev',
      probe: {
        ports: [
          { port: 22, addresses: ['0.0.0.0'] },
          { port: 8765, addresses: ['0.0.0.0', '::'] },
        ],
        addresses: [],
      },
    });
    let dev = card(renderPanel(s, NOW), 'dev');
    const rows = all(dev).filter((n) => n.attrs?.class === 'port');
    expect(rows.map((r) => r.attrs!['data-port'])).toEqual(['22', '8765']);
    expect(buttons(rows[1]).map((b) => [textOf(b), b.attrs!['data-port'], b.attrs!['data-open']])).toEqual([
      ['Forward', '8765', undefined],
      ['Open in Browser', '8765', 'true'],
    ]);
    s = applyMessage(s, { kind: 'forwards', forwards: [{ machine: 'dev', port: 8765, local: 40123, url: 'http://127.0.0.1:40123/' }] });
    dev = card(renderPanel(s, NOW), 'dev');
    const local = byClass(dev, 'forward-local');
    expect(local).toHaveLength(1);
    expect(local[0].attrs!['data-local-port']).toBe('40123');
    expect(textOf(local[0])).toBe('→ 127.0.0.1:40123');
  });

  it('says why ports are missing: not yet read, probe error, machine not running', () => {
    expect(textOf(card(renderPanel(shown(), NOW), 'dev'))).toContain('Looking for listening ports…');
    const failed = applyMessage(shown(), { kind: 'probe', machine: 'dev', probe: { ports: [], addresses: [], error: 'SSH refused' } });
    expect(textOf(card(renderPanel(failed, NOW), 'dev'))).toContain('Cannot read the ports: SSH refused');
    const stopped = shown(record({ state: 'stopped' }));
    const dev = card(renderPanel(stopped, NOW), 'dev');
    expect(textOf(dev)).toContain('Ports are read while the machine runs.');
    expect(buttons(dev).every((b) => b.attrs!.disabled === 'true')).toBe(true);
  });

  it('disables a button while its request is pending', () => {
    const s = withPending(shown(), buttonKey.extend(30));
    const bs = buttons(renderPanel(s, NOW));
    expect(bs.find((b) => textOf(b) === '+30 min')!.attrs!.disabled).toBe('true');
    expect(bs.find((b) => textOf(b) === '+1 h')!.attrs!.disabled).toBeUndefined();
  });

  it('says clearly when the playground is gone, with no actions left', () => {
    const s = applyMessage(shown(), { kind: 'gone', playground: 'pg-abc123', reason: 'Playground pg-abc123 was destroyed.' });
    const v = renderPanel(s, NOW);
    expect(v.attrs!['data-state']).toBe('gone');
    expect(textOf(byClass(v, 'pg-gone')[0])).toBe('Playground pg-abc123 was destroyed.');
    expect(buttons(v)).toHaveLength(0);
    expect(byClass(v, 'machine-card')).toHaveLength(0);
    // Gone before any record arrived (a restored panel whose playground expired meanwhile).
    const early = applyMessage(initialState('pg-abc123'), { kind: 'gone', playground: 'pg-abc123', reason: 'gone!' });
    expect(textOf(renderPanel(early, NOW))).toBe('gone!');
  });

  it('shows the failure of the last request', () => {
    const s = withAnswered(withPending(shown(), 'lifecycle:stop'), 'lifecycle:stop', 'agent said no');
    expect(textOf(byClass(renderPanel(s, NOW), 'pg-notice')[0])).toBe('agent said no');
  });

  it('resourcesText without a memory figure', () => {
    expect(resourcesText(record().machines[1], undefined)).toBe('1 CPU · 512Mi RAM');
  });
});
