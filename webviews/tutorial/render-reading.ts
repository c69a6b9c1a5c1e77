// Skill paths and courses → VNode trees. Their pages go through the tutorial renderer
// (renderReadOnly); this only lays out the path (units in order, each reference with its
// state and a button) and the course (a page at a time, with its place in the course).
import { h, type VNode } from '../shared/vnode';
import type { CatalogEntry, CourseView, PathRefView, PathView, RefState } from './protocol';
import { courseNav, pathProgress } from './reading-nav';
import { renderReadOnly } from './render';

const REF_LABEL: Record<RefState, string> = {
  'not-started': 'Not started',
  running: 'Running',
  completed: 'Completed',
  missing: 'Missing: not in the local content catalog',
  elsewhere: 'Not tracked here',
};

function progressBar(done: number, total: number, label: string): VNode {
  return h(
    'div',
    { class: 'tutorial-progress', 'data-done': String(done), 'data-total': String(total) },
    h('progress', { max: String(Math.max(total, 1)), value: String(done) }),
    h('span', { class: 'tutorial-count' }, label),
  );
}

function refButton(r: PathRefView): VNode | undefined {
  if (r.playground) return h('button', { class: 'action', type: 'button', 'data-action': 'open-playground', 'data-playground': r.playground }, 'Open');
  if (r.source)
    return h('button', { class: 'action action-start', type: 'button', 'data-action': 'start-content', 'data-source': r.source }, `▶ Start ${r.kind}`);
  return undefined;
}

function renderRef(r: PathRefView): VNode {
  return h(
    'li',
    { class: `path-ref ref-${r.state}`, 'data-ref': r.name, 'data-state': r.state },
    h('span', { class: 'ref-kind' }, r.kind),
    h('span', { class: 'ref-title' }, r.title),
    h('span', { class: 'ref-state' }, REF_LABEL[r.state]),
    r.state === 'missing' && r.title !== r.name ? h('span', { class: 'ref-name' }, `(${r.name})`) : undefined,
    refButton(r),
  );
}

export function renderPath(view: PathView): VNode {
  const { done, total } = pathProgress(view);
  return h(
    'div',
    { class: 'tutorial reading skill-path' },
    h(
      'header',
      { class: 'tutorial-header' },
      h('h1', null, view.title),
      progressBar(done, total, `${done} of ${total} done`),
      view.description ? h('p', { class: 'reading-description' }, view.description) : undefined,
    ),
    h('section', { class: 'page path-intro' }, renderReadOnly(view.intro.blocks, view.assets)),
    h(
      'ol',
      { class: 'path-units' },
      view.units.map((u) =>
        h(
          'li',
          { class: `path-unit${u.done ? ' unit-done' : ''}`, 'data-unit': u.file },
          h('h2', null, u.done ? '✔ ' : '', u.title),
          h('div', { class: 'unit-body' }, renderReadOnly(u.page.blocks, view.assets)),
          u.refs.length ? h('ul', { class: 'path-refs' }, u.refs.map(renderRef)) : h('p', { class: 'ref-none' }, 'This unit points at no content.'),
        ),
      ),
    ),
  );
}

export function renderCourse(view: CourseView, at: string | undefined): VNode {
  const { page, index, prev, next } = courseNav(view, at);
  const nav = (where: string) =>
    h(
      'div',
      { class: `course-nav course-nav-${where}` },
      prev ? h('button', { class: 'action', type: 'button', 'data-action': 'course-page', 'data-page': prev.id }, `← ${prev.title}`) : undefined,
      next ? h('button', { class: 'action', type: 'button', 'data-action': 'course-page', 'data-page': next.id }, `${next.title} →`) : undefined,
    );
  const lesson = page.lesson;
  return h(
    'div',
    { class: 'tutorial reading course', 'data-page': page.id, 'data-index': String(index) },
    h(
      'header',
      { class: 'tutorial-header' },
      lesson
        ? h(
            'div',
            { class: 'course-crumbs' },
            h('button', { class: 'link-button', type: 'button', 'data-action': 'course-page', 'data-page': '' }, view.title),
            ` › ${page.module?.title ?? ''}`,
          )
        : undefined,
      h('h1', null, page.title),
      lesson?.source
        ? h(
            'p',
            { class: 'lesson-start' },
            h('button', { class: 'action action-start', type: 'button', 'data-action': 'start-content', 'data-source': lesson.source }, '▶ Start this lesson'),
            ` A playground with ${lesson.taskCount} task${lesson.taskCount === 1 ? '' : 's'} to check.`,
          )
        : undefined,
    ),
    lesson
      ? lesson.pages.map((p) =>
          h('section', { class: 'page' }, lesson.pages.length > 1 ? h('h2', null, p.title) : undefined, renderReadOnly(p.blocks, view.assets)),
        )
      : [
          h('section', { class: 'page course-intro' }, renderReadOnly(view.intro.blocks, view.assets)),
          h(
            'ol',
            { class: 'course-modules' },
            view.modules.map((m) =>
              h(
                'li',
                { class: 'course-module', 'data-module': m.path },
                h('h2', null, m.title),
                m.description ? h('p', null, m.description) : undefined,
                h(
                  'ol',
                  { class: 'course-lessons' },
                  m.lessons.map((l) =>
                    h(
                      'li',
                      { class: 'course-lesson', 'data-lesson': l.path },
                      h('button', { class: 'link-button', type: 'button', 'data-action': 'course-page', 'data-page': l.path }, l.title),
                      l.source ? h('span', { class: 'lesson-badge' }, 'playground') : undefined,
                    ),
                  ),
                ),
              ),
            ),
          ),
        ],
    nav('bottom'),
  );
}

/** Nothing open: why, and the catalog to pick from (skill paths and courses are read, the rest started). */
export function renderEmpty(reason: string | undefined, catalog: CatalogEntry[] = []): VNode {
  return h(
    'div',
    { class: 'tutorial-empty' },
    h('p', null, reason ?? 'Loading…'),
    h('p', null, 'Open one with "Sandlot: Open Tutorial…", or pick one here:'),
    catalog.length
      ? h(
          'ul',
          { class: 'catalog' },
          catalog.map((c) =>
            h(
              'li',
              { class: 'catalog-entry', 'data-kind': c.kind },
              h('button', { class: 'link-button', type: 'button', 'data-action': 'open-entry', 'data-source': c.source }, c.title),
              h('span', { class: 'ref-kind' }, ` ${c.kind}`),
            ),
          ),
        )
      : undefined,
  );
}
