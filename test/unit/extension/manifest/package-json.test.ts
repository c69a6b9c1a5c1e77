// The CI check that package.json's extension manifest is what extension/manifest/
// produces (edit the source, then `npm run manifest`), and that what it produces holds
// together: every menu entry and command link names a contributed command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOwnJson } from '../../../../host-agent/util/json';
import { COMMANDS } from '../../../../extension/manifest/commands';
import { manifestFields, vscodeEngine, withManifest } from '../../../../extension/manifest/package-json';
import { oldestTested } from '../../../../extension/manifest/tested-versions';

const root = path.resolve(__dirname, '../../../..');
const committed = fs.readFileSync(path.join(root, 'package.json'), 'utf8');

describe('package.json extension manifest', () => {
  it('is what extension/manifest/ produces (run `npm run manifest` after editing it)', () => {
    expect(committed === withManifest(committed), 'package.json differs from extension/manifest/: run npm run manifest').toBe(true);
  });

  it('declares the oldest VS Code the e2e suite runs on', () => {
    expect(vscodeEngine()).toBe(`^${oldestTested().vscode}`);
    expect(committed).toContain(`"vscode": "${vscodeEngine()}"`);
  });

  it('names only contributed commands in menus, welcome views and walkthrough links', () => {
    const m = manifestFields();
    const ids = new Set(Object.keys(COMMANDS));
    const menus = Object.values(m.contributes.menus).flat();
    for (const entry of menus) expect(ids, `menu entry ${entry.command}`).toContain(entry.command);
    const texts = [...m.contributes.viewsWelcome.map((w) => w.contents), ...m.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.description))];
    const linked = texts.flatMap((t) => [...t.matchAll(/\(command:([^)]+)\)/g)].map((x) => x[1]));
    expect(linked.length).toBeGreaterThan(0);
    for (const id of linked) expect(ids, `command link ${id}`).toContain(id);
    // Every command is reachable somewhere: palette, a menu, or a link.
    const reachable = new Set([
      ...menus.map((e) => e.command),
      ...linked,
      ...Object.entries(COMMANDS)
        .filter(([, c]) => !c.palette)
        .map(([id]) => id),
    ]);
    for (const id of ids) expect(reachable, `command ${id}`).toContain(id);
  });

  it('replaces only its own keys and keeps the order of the others', () => {
    const sample = JSON.stringify({ name: 'x', scripts: { a: 'b' }, engines: { node: '>=20' }, contributes: { old: true }, zzz: 1 }, null, 2);
    const out = parseOwnJson<Record<string, unknown>>(withManifest(sample));
    expect(Object.keys(out).slice(0, 5)).toEqual(['name', 'scripts', 'engines', 'contributes', 'zzz']);
    expect(out.engines).toEqual({ node: '>=20', vscode: vscodeEngine() });
    expect(out.scripts).toEqual({ a: 'b' });
    expect(out.contributes).toEqual(manifestFields().contributes);
  });
});
