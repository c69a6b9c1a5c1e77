import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isContentIndex,
  isManifestText,
  templateManifests,
  validateContentFolder,
  validateManifestText,
} from '../../../../extension/content-diagnostics/validate';
import { lookupFromMap } from '../../../../host-agent/playgrounds/catalog';
import { REPO } from '../../../helpers/agent-process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-diagnostics-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const templates = templateManifests(path.join(REPO, 'host-agent', 'templates'));
const lookup = lookupFromMap(Object.fromEntries(Object.values(templates).map((m) => [m.name, m.playground.machines.map((x) => x.name)])));

const GOOD = '---\nkind: challenge\ntitle: T\nplayground:\n  name: linux\ntasks:\n  verify_a:\n    run: "true"\n---\nText.\n';

describe('validateContentFolder', () => {
  it('finds the problems of the text in the editor (unsaved) with the line of the field, none once it is fixed', () => {
    const dir = path.join(root, 'c1');
    fs.mkdirSync(dir);
    const index = path.join(dir, 'index.md');
    fs.writeFileSync(index, GOOD);
    expect(validateContentFolder(dir, lookup, templates, new Map())).toEqual(new Map());
    // The editor holds a version with a task that needs one that does not exist: not saved.
    const typed = GOOD.replace('    run: "true"', '    needs: [verify_zzz]\n    run: "true"');
    const problems = validateContentFolder(dir, lookup, templates, new Map([[index, typed]]));
    expect([...problems.keys()]).toEqual([index]);
    const [p] = problems.get(index)!;
    expect(p.message).toMatch(/verify_zzz/);
    expect(typed.split('\n')[p.range.line]).toMatch(/needs|verify_zzz/);
    expect(validateContentFolder(dir, lookup, templates, new Map([[index, GOOD]]))).toEqual(new Map());
  });

  it('names an unknown machine at its line and bad YAML at its line', () => {
    const dir = path.join(root, 'c2');
    fs.mkdirSync(dir);
    const index = path.join(dir, 'index.md');
    fs.writeFileSync(index, GOOD.replace('    run: "true"', '    machine: nope\n    run: "true"'));
    const [p] = validateContentFolder(dir, lookup, templates, new Map()).get(index)!;
    expect(p.message).toMatch(/nope/);
    expect(p.range.line).toBe(7);
    const broken = GOOD.replace('title: T', 'title: [T');
    const [y] = validateContentFolder(dir, lookup, templates, new Map([[index, broken]])).get(index)!;
    expect(y.message).toMatch(/YAML/);
    expect(y.range.line).toBeGreaterThanOrEqual(2);
  });
});

describe('validateManifestText', () => {
  it('reports a manifest problem at its field, nothing for a good one', () => {
    const good = 'kind: playground\nname: mine\nbase: linux\nplayground: {}\n';
    expect(isManifestText('mine.yaml', good)).toBe(true);
    expect(isManifestText('mine.md', good)).toBe(false);
    expect(validateManifestText(good, 'mine.yaml', templates)).toEqual([]);
    const bad = 'kind: playground\nname: mine\nbase: linux\nplayground:\n  machines:\n    - name: dev\n      resources:\n        cpuCount: lots\n';
    const problems = validateManifestText(bad, 'mine.yaml', templates);
    expect(problems.length).toBeGreaterThan(0);
    expect(bad.split('\n')[problems[0].range.line]).toMatch(/cpuCount|resources|dev/);
  });

  it('knows which files are content indexes', () => {
    expect(['index.md', 'index.json', 'unit-01-basics.md', 'step1.md', 'README.md'].map(isContentIndex)).toEqual([true, true, true, false, false]);
  });
});
