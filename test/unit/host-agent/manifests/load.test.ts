import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifestText, ManifestError, formatPath } from '../../../../host-agent/manifests/load';
import { parseRamSize } from '../../../../host-agent/manifests/schema';

const problems = (text: string): string[] => {
  try {
    loadManifestText(text, 'pg.yaml');
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return err.message.split('\n');
  }
  throw new Error('expected the manifest to be refused');
};

describe('playground manifests', () => {
  it('loads every built-in template', () => {
    const dir = path.join(__dirname, '../../../../host-agent/templates');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const m = loadManifestText(fs.readFileSync(path.join(dir, f), 'utf8'), f);
      expect(m.kind).toBe('playground');
      expect(`${m.name}.yaml`).toBe(f);
    }
  });

  it('names the file, the field path and what was expected', () => {
    expect(problems('kind: playground\nname: x\nplayground:\n  machines:\n    - name: a\n    - name: Node 1\n')).toEqual([
      'pg.yaml: playground.machines[1].name: expected a DNS label (lowercase letters, digits, \'-\'), got "Node 1"',
    ]);
    expect(
      problems('kind: playground\nname: x\nplayground:\n  machines: [{name: a, users: [{name: root, default: true}, {name: bob, default: true}]}]\n'),
    ).toEqual(['pg.yaml: playground.machines[0].users: expected at most one user with default: true']);
    expect(problems('kind: playground\nname: x\nplayground:\n  machines: [{name: a}]\n  initTasks:\n    t: {machine: b, run: "true"}\n')).toEqual([
      'pg.yaml: playground.initTasks.t.machine: unknown machine "b" (expected one of a)',
    ]);
    expect(problems('kind: playground\nname: x\nplayground:\n  machines: [{name: a, startupFiles: [{path: rel/file, content: x}]}]\n')[0]).toBe(
      'pg.yaml: playground.machines[0].startupFiles[0].path: expected an absolute path',
    );
    expect(problems('kind: playground\nname: x\nplayground:\n  machines: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}, {name: f}]\n')[0]).toBe(
      'pg.yaml: playground.machines: expected at most 5 machines',
    );
  });

  it('reports YAML syntax errors with line and column, and duplicate keys', () => {
    expect(problems('kind: playground\nname: x\nname: y\n')[0]).toMatch(/^pg\.yaml: line 3, column 1: Map keys must be unique/);
    expect(problems('kind: [unclosed\n')[0]).toMatch(/^pg\.yaml: line \d+, column \d+:/);
  });

  it('formats paths like the manifest reads', () => {
    expect(formatPath(['playground', 'machines', 1, 'name'])).toBe('playground.machines[1].name');
    expect(formatPath([])).toBe('(top level)');
  });

  it('parses RAM sizes', () => {
    expect(parseRamSize('512Mi')).toBe(512 * 1024 * 1024);
    expect(parseRamSize('2Gi')).toBe(2 * 1024 ** 3);
    expect(parseRamSize('1G')).toBe(1e9);
    expect(() => parseRamSize('lots')).toThrow(/expected a size/);
  });
});
