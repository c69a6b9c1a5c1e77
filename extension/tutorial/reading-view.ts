// The tutorial view of content that is read, not run: a skill path with where each of its
// references stands for this learner, and a course with its lessons. Pure (no vscode): the
// states come from the agent's playground records (content by folder or name, and its
// state), the references from the agent's content catalog, so what the view offers to start
// is what the agent can start.
import * as path from 'node:path';
import type { ContentSummary, PlaygroundRecord } from '../../host-agent/api/protocol';
import { normalizeName } from '../../host-agent/content/library';
import type { ContentRef, Course, SkillPath } from '../../host-agent/content/model';
import type { CourseView, PathRefView, PathView, RefState } from '../../webviews/tutorial/protocol';

/** Catalog kinds that are read in the Tutorial view, not started on a playground of their own. */
export const READ_ONLY_KINDS: ReadonlySet<string> = new Set(['skill-path', 'course']);

/** References that run on a playground of their own and count towards progress. */
const RUNNABLE = new Set(['tutorial', 'challenge', 'lesson']);

const samePath = (a: string | undefined, b: string | undefined) => !!a && !!b && path.resolve(a) === path.resolve(b);

/** Where content (by folder, or by name) stands among the playgrounds: the newest completed one wins, then the newest started. */
export function contentState(source: string, name: string, playgrounds: readonly PlaygroundRecord[]): { state: RefState; playground?: string } {
  const want = normalizeName(name);
  const runs = playgrounds
    .filter((p) => p.state !== 'destroyed' && p.content && (samePath(p.content.source, source) || normalizeName(p.content.name) === want))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const completed = runs.find((p) => p.content?.state === 'completed');
  if (completed) return { state: 'completed', playground: completed.id };
  if (runs[0]) return { state: 'running', playground: runs[0].id };
  return { state: 'not-started' };
}

function refView(ref: ContentRef, catalog: readonly ContentSummary[], playgrounds: readonly PlaygroundRecord[]): PathRefView {
  const entry = catalog.find((c) => normalizeName(c.name) === normalizeName(ref.name));
  const found = entry ? { source: entry.source, title: entry.title } : ref.found;
  const base = { kind: ref.kind, name: ref.name, title: found?.title ?? ref.name };
  // Roadmaps, other paths, courses and bare playgrounds are shown, not started from here.
  if (!RUNNABLE.has(ref.kind)) return { ...base, state: found || ref.kind === 'roadmap' ? 'elsewhere' : 'missing' };
  if (!found) return { ...base, state: 'missing' };
  return { ...base, source: found.source, ...contentState(found.source, ref.name, playgrounds) };
}

export function pathView(
  doc: SkillPath,
  catalog: readonly ContentSummary[],
  playgrounds: readonly PlaygroundRecord[],
  assets: Record<string, string>,
): PathView {
  return {
    type: 'skill-path',
    dir: doc.dir,
    title: doc.title,
    description: doc.description,
    intro: doc.intro,
    units: doc.units.map((u) => {
      const refs = u.refs.map((r) => refView(r, catalog, playgrounds));
      const counted = refs.filter((r) => r.state !== 'elsewhere');
      return { file: u.file, title: u.title, page: u.page, refs, done: counted.length > 0 && counted.every((r) => r.state === 'completed') };
    }),
    assets,
  };
}

export function courseView(doc: Course, assets: Record<string, string>): CourseView {
  return {
    type: 'course',
    dir: doc.dir,
    title: doc.title,
    description: doc.description,
    intro: doc.intro,
    modules: doc.modules.map((m) => ({
      title: m.title,
      description: m.description,
      path: m.path,
      lessons: m.lessons.map((l) => ({
        title: l.title,
        description: l.description,
        path: l.path,
        pages: l.pages,
        ...(l.template ? { source: path.join(doc.dir, l.path) } : {}),
        taskCount: l.tasks.filter((t) => t.kind === 'regular').length,
      })),
    })),
    assets,
  };
}

/** The folders a view offers to start: the only sources the host starts on its webview's word. */
export function startableSources(view: PathView | CourseView): string[] {
  if (view.type === 'skill-path') return view.units.flatMap((u) => u.refs.flatMap((r) => (r.source ? [r.source] : [])));
  return view.modules.flatMap((m) => m.lessons.flatMap((l) => (l.source ? [l.source] : [])));
}
