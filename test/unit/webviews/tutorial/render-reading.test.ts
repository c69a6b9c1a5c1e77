// Skill paths and courses in the tutorial webview: progress and course navigation (pure),
// the drawn path with each reference's state and button, the course a page at a time, and
// the webview state across host messages and reloads.
import { describe, expect, it } from 'vitest';
import type { Page } from '../../../../host-agent/content/model';
import type { CourseView, PathView } from '../../../../webviews/tutorial/protocol';
import { courseNav, coursePages, pathProgress } from '../../../../webviews/tutorial/reading-nav';
import { renderCourse, renderEmpty, renderPath } from '../../../../webviews/tutorial/render-reading';
import { renderView } from '../../../../webviews/tutorial/render';
import { applyMessage, initialState, restoreState, withCoursePage } from '../../../../webviews/tutorial/state';
import { textOf, walk, type VNode } from '../../../../webviews/shared/vnode';

const para = (text: string): Page => ({ title: text, blocks: [{ type: 'paragraph', children: [{ type: 'text', value: text }] }] });
const nodes = (v: VNode) => [...walk(v)];
const byAttr = (v: VNode, attr: string, value: string) => nodes(v).find((n) => n.attrs?.[attr] === value);

const path: PathView = {
  type: 'skill-path',
  dir: '/c/path',
  title: 'A path',
  description: 'Stops.',
  intro: para('Intro words.'),
  units: [
    {
      file: 'unit-10.md',
      title: 'First',
      page: para('First words.'),
      refs: [{ kind: 'challenge', name: 'one', title: 'One', state: 'completed', source: '/c/one', playground: 'pg-1' }],
      done: true,
    },
    {
      file: 'unit-20.md',
      title: 'Second',
      page: para('Second words.'),
      refs: [
        { kind: 'tutorial', name: 'two', title: 'Two', state: 'not-started', source: '/c/two' },
        { kind: 'tutorial', name: 'gone', title: 'gone', state: 'missing' },
      ],
      done: false,
    },
  ],
  assets: {},
};

const lesson = (p: string, title: string, source?: string) => ({
  title,
  description: '',
  path: p,
  pages: [para(`${title} text.`)],
  taskCount: source ? 1 : 0,
  ...(source ? { source } : {}),
});
const course: CourseView = {
  type: 'course',
  dir: '/c/course',
  title: 'A course',
  description: '',
  intro: para('Welcome.'),
  modules: [
    { title: 'M1', description: '', path: '10.m1', lessons: [lesson('10.m1/10.a', 'Lesson A'), lesson('10.m1/20.b', 'Lesson B', '/c/course/10.m1/20.b')] },
    { title: 'M2', description: '', path: '20.m2', lessons: [lesson('20.m2/10.c', 'Lesson C')] },
  ],
  assets: {},
};

describe('skill path', () => {
  it('counts units done of all units', () => {
    expect(pathProgress(path)).toEqual({ done: 1, total: 2 });
  });

  it('draws the units in order, each reference with its state; Start for not started, Open for started, nothing for missing', () => {
    const v = renderPath(path);
    expect(textOf(v)).toContain('1 of 2 done');
    expect(
      nodes(v)
        .filter((n) => n.attrs?.['data-unit'])
        .map((n) => n.attrs!['data-unit']),
    ).toEqual(['unit-10.md', 'unit-20.md']);
    const one = byAttr(v, 'data-ref', 'one')!;
    expect(one.attrs!['data-state']).toBe('completed');
    expect(byAttr(one, 'data-action', 'open-playground')?.attrs!['data-playground']).toBe('pg-1');
    const two = byAttr(v, 'data-ref', 'two')!;
    expect(byAttr(two, 'data-action', 'start-content')?.attrs!['data-source']).toBe('/c/two');
    const gone = byAttr(v, 'data-ref', 'gone')!;
    expect(textOf(gone)).toContain('Missing');
    expect(nodes(gone).some((n) => n.attrs?.['data-action'])).toBe(false);
    expect(textOf(v)).toContain('Intro words.');
    expect(textOf(v)).toContain('Second words.');
  });
});

describe('nothing open', () => {
  it('says why and lists the catalog, each entry a button carrying its folder', () => {
    const catalog = [
      { title: 'A path', kind: 'skill-path', source: '/c/path' },
      { title: 'One', kind: 'challenge', source: '/c/one' },
    ];
    const v = renderEmpty('No tutorial is open.', catalog);
    expect(textOf(v)).toContain('No tutorial is open.');
    expect(
      nodes(v)
        .filter((n) => n.attrs?.['data-action'] === 'open-entry')
        .map((n) => [textOf(n), n.attrs!['data-source']]),
    ).toEqual([
      ['A path', '/c/path'],
      ['One', '/c/one'],
    ]);
    let s = applyMessage(initialState(), { kind: 'empty', reason: 'x', catalog });
    expect(restoreState(JSON.parse(JSON.stringify(s))).catalog).toEqual(catalog);
    s = applyMessage(s, { kind: 'showReading', view: path });
    expect(s.catalog).toBeUndefined();
  });
});

describe('content started from a path or course', () => {
  it('has a way back in its header, and none otherwise', () => {
    const v = { playground: 'pg-1', title: 'One', kind: 'challenge', content: undefined, pages: [], tasks: {}, assets: {} };
    const back = byAttr(renderView({ ...v, from: { title: 'A path' } }), 'data-action', 'open-reading');
    expect(back && textOf(back)).toBe('← A path');
    expect(byAttr(renderView(v), 'data-action', 'open-reading')).toBeUndefined();
  });
});

describe('course navigation', () => {
  it('is the course page, then every lesson in module order', () => {
    expect(coursePages(course).map((p) => p.id)).toEqual(['', '10.m1/10.a', '10.m1/20.b', '20.m2/10.c']);
  });

  it('gives the neighbours of a page and falls back to the course page for an unknown one', () => {
    const at = courseNav(course, '10.m1/20.b');
    expect([at.index, at.prev?.id, at.next?.id, at.page.module?.title]).toEqual([2, '10.m1/10.a', '20.m2/10.c', 'M1']);
    expect(courseNav(course, 'nope').index).toBe(0);
    expect(courseNav(course, undefined).prev).toBeUndefined();
    expect(courseNav(course, '20.m2/10.c').next).toBeUndefined();
  });

  it('draws the course page with its modules and lessons, and a lesson page with Start only when it has a playground', () => {
    const top = renderCourse(course, '');
    expect(textOf(top)).toContain('Welcome.');
    expect(
      nodes(top)
        .filter((n) => n.attrs?.['data-module'])
        .map((n) => textOf(n).split('Lesson')[0]),
    ).toEqual(['M1', 'M2']);
    expect(byAttr(top, 'data-action', 'start-content')).toBeUndefined();
    const b = renderCourse(course, '10.m1/20.b');
    expect(textOf(b)).toContain('Lesson B text.');
    expect(byAttr(b, 'data-action', 'start-content')?.attrs!['data-source']).toBe('/c/course/10.m1/20.b');
    expect(byAttr(renderCourse(course, '10.m1/10.a'), 'data-action', 'start-content')).toBeUndefined();
  });
});

describe('webview state of a reading', () => {
  it('keeps the course page when the same course comes again, starts at the top for another, and survives a reload', () => {
    let s = applyMessage(initialState(), { kind: 'showReading', view: course });
    s = withCoursePage(s, '10.m1/20.b');
    expect(applyMessage(s, { kind: 'showReading', view: course }).coursePage).toBe('10.m1/20.b');
    expect(applyMessage(s, { kind: 'showReading', view: { ...course, dir: '/c/other' } }).coursePage).toBeUndefined();
    const restored = restoreState(JSON.parse(JSON.stringify(s)));
    expect([restored.reading?.dir, restored.coursePage]).toEqual(['/c/course', '10.m1/20.b']);
    // A started lesson replaces the reading; an empty view clears it.
    expect(applyMessage(s, { kind: 'empty', reason: 'x' }).reading).toBeUndefined();
  });

  it('ignores course navigation while a skill path is shown', () => {
    const s = applyMessage(initialState(), { kind: 'showReading', view: path });
    expect(withCoursePage(s, 'x')).toBe(s);
  });
});
