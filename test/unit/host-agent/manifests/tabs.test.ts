import { describe, expect, it } from 'vitest';
import { loadManifestText } from '../../../../host-agent/manifests/load';
import { resolveTabs } from '../../../../host-agent/manifests/tabs';
import { fixture, problems } from './fixtures';

const two = (tabs: string): string =>
  `kind: playground\nname: t\nplayground:\n  machines: [{ name: dev }, { name: web }, { name: quiet, noSSH: true }]\n${tabs ? `  tabs:\n${tabs}` : ''}`;

describe('tabs', () => {
  it('without tabs: one terminal per SSH machine', () => {
    expect(resolveTabs(loadManifestText(two(''), 'x')).tabs).toEqual([
      { id: 'terminal-dev', kind: 'terminal', name: 'dev', machine: 'dev' },
      { id: 'terminal-web', kind: 'terminal', name: 'web', machine: 'web' },
    ]);
  });

  it('fills kinds, machines, names and ids; keeps http-port and web-page fields', () => {
    const { tabs, problems: p } = resolveTabs(loadManifestText(fixture('every-field.playground.yaml'), 'x'));
    expect(p).toEqual([]);
    expect(tabs).toEqual([
      { id: 'ide-gateway', kind: 'ide', name: 'IDE (gateway)', machine: 'gateway' },
      { id: 'terminal-gateway', kind: 'terminal', name: 'gateway', machine: 'gateway' },
      { id: 'second-shell', kind: 'terminal', name: 'Second shell', machine: 'gateway', pane: 'right' },
      {
        id: 'http-port-gateway',
        kind: 'http-port',
        name: 'Dashboard',
        machine: 'gateway',
        number: 8443,
        tls: true,
        hostRewrite: 'dashboard.local',
        pathRewrite: '/ui/',
      },
      { id: 'web-page', kind: 'web-page', name: 'Docs', url: 'https://example.com/docs', target: 'window' },
      { id: 'kexp-gateway', kind: 'kexp', name: 'Kubernetes Explorer', machine: 'gateway' },
    ]);
  });

  it('makes automatic ids unique and never takes an id written elsewhere in the list', () => {
    const { tabs } = resolveTabs(loadManifestText(two('    - machine: dev\n    - machine: dev\n    - { machine: web, id: terminal-dev-2 }\n'), 'x'));
    expect(tabs.map((t) => t.id)).toEqual(['terminal-dev', 'terminal-dev-3', 'terminal-dev-2']);
  });

  it('refuses what a tab kind cannot have, missing required fields, unknown or noSSH machines and duplicate ids', () => {
    expect(
      problems(
        two(
          [
            '    - { kind: http-port, machine: dev }',
            '    - { kind: web-page, name: Docs }',
            '    - { kind: terminal, url: "https://example.com" }',
            '    - { machine: nowhere }',
            '    - { machine: quiet }',
            '    - { machine: dev, id: same }',
            '    - { machine: web, id: same }',
            '',
          ].join('\n'),
        ),
      ),
    ).toEqual([
      "pg.yaml: playground.tabs[0].number: required for an http-port tab (the machine's port)",
      'pg.yaml: playground.tabs[0].name: required for a http-port tab (its title)',
      'pg.yaml: playground.tabs[1].url: required for a web-page tab',
      'pg.yaml: playground.tabs[2].url: only for web-page tabs; this tab is terminal',
      'pg.yaml: playground.tabs[3].machine: unknown machine "nowhere" (expected one of dev, web, quiet)',
      'pg.yaml: playground.tabs[4].machine: "quiet" has noSSH: true and gets no terminal tab',
      'pg.yaml: playground.tabs[6].id: duplicate tab id "same" (also playground.tabs[5])',
    ]);
    expect(problems(two('    - { kind: vnc }\n'))).toEqual([
      'pg.yaml: playground.tabs[0].kind: expected one of terminal, ide, http-port, web-page, kexp, got "vnc"',
    ]);
    expect(problems(two('    - { kind: web-page, name: x, url: "ftp://example.com" }\n'))).toEqual([
      'pg.yaml: playground.tabs[0].url: expected an http(s) URL, got "ftp://example.com"',
    ]);
    expect(problems(two('    - { kind: http-port, name: x, number: 70000 }\n'))[0]).toMatch(/^pg\.yaml: playground\.tabs\[0\]\.number: /);
    expect(problems(two('    - { kind: http-port, name: x, number: 80, pathRewrite: ui }\n'))).toEqual([
      'pg.yaml: playground.tabs[0].pathRewrite: expected a URL path starting with "/", got "ui"',
    ]);
    const eleven = Array.from({ length: 11 }, () => '    - machine: dev\n').join('');
    expect(problems(two(eleven))).toEqual(['pg.yaml: playground.tabs: expected at most 10 tabs']);
  });
});
