// The tutorial view of content that runs nowhere yet (the preview): its pages, and its
// regular tasks as they show before anything ran. Pure (no vscode).
import type { TaskRecord } from '../../host-agent/api/protocol';
import type { Content, TaskSpec } from '../../host-agent/content/model';
import type { TutorialView } from '../../webviews/tutorial/protocol';

/** Any template, any machine: for reading content before the agent's templates are known. */
export const ANY_TEMPLATE = { names: (): string[] => [], machines: (): string[] | undefined => undefined };

/** A task as it shows before anything ran. */
export function notStarted(spec: TaskSpec, defaultMachine: string): TaskRecord {
  return {
    name: spec.name,
    kind: spec.kind,
    machine: spec.machine ?? defaultMachine,
    user: spec.user,
    status: 'created',
    runs: 0,
    ...(spec.input ? { input: true } : {}),
  };
}

/** The view the renderer draws for content that runs nowhere yet. */
export function previewView(doc: Content, assets: Record<string, string>): TutorialView {
  const defaultMachine = doc.playground.section?.machines?.[0]?.name ?? 'dev';
  const tasks = Object.fromEntries(
    Object.values(doc.tasks)
      .filter((t) => t.kind === 'regular')
      .map((t) => [t.name, notStarted(t, defaultMachine)]),
  );
  return {
    playground: `preview:${doc.dir}`,
    title: doc.title,
    kind: doc.kind,
    content: { name: doc.name, kind: doc.kind, title: doc.title, source: doc.dir },
    pages: doc.pages,
    tasks,
    assets,
  };
}
