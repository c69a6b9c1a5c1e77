// Moving through content that is read, not run. Pure: the progress of a skill path, and a
// course as a row of pages (its intro, then every lesson in module order) with the page
// before and after the one shown.
import type { CourseLessonView, CourseModuleView, CourseView, PathView } from './protocol';

/** Units whose every countable reference is completed, of all units. */
export function pathProgress(view: PathView): { done: number; total: number } {
  return { done: view.units.filter((u) => u.done).length, total: view.units.length };
}

export interface CoursePage {
  /** '' for the course's own page, else the lesson's folder. */
  id: string;
  title: string;
  module?: CourseModuleView;
  lesson?: CourseLessonView;
}

export function coursePages(view: CourseView): CoursePage[] {
  return [
    { id: '', title: view.title },
    ...view.modules.flatMap((module) => module.lessons.map((lesson) => ({ id: lesson.path, title: lesson.title, module, lesson }))),
  ];
}

/** The page `at` names (the course's own page when it names none of them), with its neighbours. */
export function courseNav(view: CourseView, at: string | undefined): { page: CoursePage; index: number; prev?: CoursePage; next?: CoursePage } {
  const pages = coursePages(view);
  const index = Math.max(
    0,
    pages.findIndex((p) => p.id === (at ?? '')),
  );
  return { page: pages[index], index, prev: pages[index - 1], next: pages[index + 1] };
}
