import { describe, expect, it } from 'vitest';
import { parseFieldPath, problemRange, splitManifestProblem } from '../../../../extension/content-diagnostics/problem-range';

const INDEX_MD = [
  '---', // 0
  'kind: challenge', // 1
  'title: T', // 2
  'playground:', // 3
  '  name: linux', // 4
  'tasks:', // 5
  '  verify_a:', // 6
  '    machine: nope', // 7
  '    needs:', // 8
  '      - init_x', // 9
  '      - zzz', // 10
  '    bogus: 1', // 11
  '---', // 12
  'Some text.', // 13
].join('\n');

const text = (r: { line: number; character: number; endLine: number; endCharacter: number }, src: string) => {
  const lines = src.split('\n');
  return r.line === r.endLine ? lines[r.line].slice(r.character, r.endCharacter) : undefined;
};

describe('problemRange', () => {
  it('finds a field of the front matter by its path, in lines of the whole file', () => {
    const r = problemRange(INDEX_MD, 'markdown', 'tasks.verify_a.machine', 'unknown machine');
    expect(r).toMatchObject({ line: 7, character: 4 });
    expect(text(r, INDEX_MD)).toBe('machine');
    const item = problemRange(INDEX_MD, 'markdown', 'tasks.verify_a.needs[1]');
    expect(item).toMatchObject({ line: 10, character: 8 });
    expect(text(item, INDEX_MD)).toBe('zzz');
  });

  it('points an unknown field at its key and a missing one at the closest field above it', () => {
    expect(problemRange(INDEX_MD, 'markdown', 'tasks.verify_a', 'unknown field "bogus"')).toMatchObject({ line: 11, character: 4, endCharacter: 9 });
    expect(problemRange(INDEX_MD, 'markdown', 'tasks.verify_a.run', 'required field is missing (expected string)')).toMatchObject({ line: 6, character: 2 });
  });

  it('takes "line N" and "line N, column M" as they are, and a file without front matter at its first line', () => {
    expect(problemRange(INDEX_MD, 'markdown', 'line 14', 'bad block')).toEqual({ line: 13, character: 0, endLine: 13, endCharacter: 10 });
    expect(problemRange('a: 1\nb: [\n', 'yaml', 'line 2, column 4')).toMatchObject({ line: 1, character: 3 });
    expect(problemRange('# no front matter\n', 'markdown', 'tasks.x')).toMatchObject({ line: 0 });
    expect(problemRange(INDEX_MD, 'markdown', undefined)).toMatchObject({ line: 1 }); // the front matter's first field
  });

  it('reads JSON (Killercoda index.json) and manifests the same way', () => {
    const json = '{\n  "title": "S",\n  "details": {\n    "steps": [\n      { "title": "one", "text": "step1.md" }\n    ]\n  }\n}\n';
    const r = problemRange(json, 'json', 'details.steps[0].text');
    expect(r).toMatchObject({ line: 4, character: 24 });
    expect(text(r, json)).toBe('"text"');
    const manifest = 'kind: playground\nname: p\nplayground:\n  machines:\n    - name: Bad_Name\n';
    expect(problemRange(manifest, 'yaml', 'playground.machines[0].name')).toMatchObject({ line: 4, character: 6 });
  });
});

describe('parseFieldPath and splitManifestProblem', () => {
  it('splits paths and problem lines', () => {
    expect(parseFieldPath('tasks.verify_a.needs[0]')).toEqual(['tasks', 'verify_a', 'needs', 0]);
    expect(parseFieldPath('line 3')).toBeUndefined();
    expect(splitManifestProblem('playground.machines[0].name: expected a lowercase name')).toEqual({
      where: 'playground.machines[0].name',
      message: 'expected a lowercase name',
    });
    expect(splitManifestProblem('line 3, column 5: bad indentation')).toEqual({ where: 'line 3, column 5', message: 'bad indentation' });
    expect(splitManifestProblem('(top level): unknown field "x"')).toEqual({ message: 'unknown field "x"' });
    expect(splitManifestProblem('expected a YAML mapping with `kind: playground`')).toEqual({ message: 'expected a YAML mapping with `kind: playground`' });
  });
});
