// The view model of a skill path and a course, from the fixtures read by the real reader,
// against an agent catalog and playground records shaped as the agent sends them.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContentSummary, PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { readDocument } from '../../../../host-agent/content/load';
import type { Course, SkillPath } from '../../../../host-agent/content/model';
import { lookupFromMap } from '../../../../host-agent/playgrounds/catalog';
import { contentState, courseView, pathView, startableSources } from '../../../../extension/tutorial/reading-view';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/content');
const lookup = lookupFromMap({ linux: ['dev'] });
const LINUX_BASICS = '/catalog/builtin-content/linux-basics';
const catalog: ContentSummary[] = [
  { name: 'linux-basics', kind: 'challenge', title: 'Linux Basics', description: '', template: 'linux', source: LINUX_BASICS },
  { name: 'shell-skill-path', kind: 'skill-path', title: 'Shell Habits', description: '', template: '', source: path.join(FIXTURES, 'shell-skill-path') },
];

function read(name: string): SkillPath | Course {
  const { document } = readDocument(path.join(FIXTURES, name), lookup, { library: [] });
  if (!document || (document.kind !== 'skill-path' && document.kind !== 'course')) throw new Error(`${name} did not read as a skill path or course`);
  return document;
}

function playground(id: string, createdAt: string, content: PlaygroundRecord['content'], state: PlaygroundRecord['state'] = 'running'): PlaygroundRecord {
  return { id, state, createdAt, content, template: 'linux', title: id, driver: 'sandbox', deadline: createdAt, machines: [], userPublicKey: '' };
}

describe('pathView', () => {
  const doc = read('shell-skill-path');
  if (doc.kind !== 'skill-path') throw new Error('expected a skill path');

  it('lists the units in order with the catalog entry found and the missing reference marked', () => {
    const v = pathView(doc, catalog, [], {});
    expect(v.units.map((u) => [u.file, u.title])).toEqual([
      ['unit-10.md', 'Files and logs'],
      ['unit-20.md', 'Beyond this machine'],
    ]);
    expect(v.units[0].refs).toEqual([{ kind: 'challenge', name: 'linux_basics', title: 'Linux Basics', state: 'not-started', source: LINUX_BASICS }]);
    expect(v.units[1].refs).toEqual([{ kind: 'tutorial', name: 'a-tutorial-that-is-nowhere', title: 'a-tutorial-that-is-nowhere', state: 'missing' }]);
    expect(v.units.map((u) => u.done)).toEqual([false, false]);
    expect(startableSources(v)).toEqual([LINUX_BASICS]);
  });

  it('takes each reference state from the playgrounds that run it: running, then completed', () => {
    const running = playground('pg-1', '2026-01-01T00:00:00Z', { name: 'linux-basics', kind: 'challenge', title: 'x', source: LINUX_BASICS, state: 'ready' });
    expect(pathView(doc, catalog, [running], {}).units[0].refs[0]).toMatchObject({ state: 'running', playground: 'pg-1' });
    const done = playground('pg-0', '2025-12-01T00:00:00Z', { name: 'linux-basics', kind: 'challenge', title: 'x', source: LINUX_BASICS, state: 'completed' });
    const v = pathView(doc, catalog, [running, done], {});
    expect(v.units[0].refs[0]).toMatchObject({ state: 'completed', playground: 'pg-0' });
    expect(v.units.map((u) => u.done)).toEqual([true, false]);
  });

  it('ignores destroyed playgrounds and content of other names and folders', () => {
    const gone = playground(
      'pg-2',
      '2026-01-01T00:00:00Z',
      { name: 'linux-basics', kind: 'challenge', title: 'x', source: LINUX_BASICS, state: 'completed' },
      'destroyed',
    );
    const other = playground('pg-3', '2026-01-01T00:00:00Z', { name: 'other', kind: 'challenge', title: 'x', source: '/elsewhere/other', state: 'completed' });
    expect(contentState(LINUX_BASICS, 'linux_basics', [gone, other])).toEqual({ state: 'not-started' });
    // Found by name when the folder differs (a copy of the same content elsewhere).
    const byName = playground('pg-4', '2026-01-01T00:00:00Z', {
      name: 'linux-basics',
      kind: 'challenge',
      title: 'x',
      source: '/copy/linux-basics',
      state: 'ready',
    });
    expect(contentState(LINUX_BASICS, 'linux_basics', [byName])).toEqual({ state: 'running', playground: 'pg-4' });
  });
});

describe('courseView', () => {
  it('lists modules and lessons; only the lesson with a playground can be started, from its folder', () => {
    const doc = read('notes-course');
    if (doc.kind !== 'course') throw new Error('expected a course');
    const v = courseView(doc, {});
    expect(v.title).toBe('Keeping Notes in the Shell');
    expect(v.modules.map((m) => m.title)).toEqual(['The Basics']);
    const [reading, practice] = v.modules[0].lessons;
    expect(reading).toMatchObject({ title: 'Reading', path: '010.basics/10.reading', taskCount: 0 });
    expect(reading.source).toBeUndefined();
    expect(practice).toMatchObject({ title: 'Write a Note', taskCount: 1, source: path.join(FIXTURES, 'notes-course', '010.basics', '20.practice') });
    expect(practice.pages.map((p) => p.title)).toEqual(['Your first note']);
    expect(startableSources(v)).toEqual([practice.source]);
  });
});
