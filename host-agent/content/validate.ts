// Cross-checks that no single schema can express: tasks the markdown shows exist, `needs`
// form a DAG, machines exist in the template, images exist in the content folder (checked
// through ContentFiles: by real path, regular files, within the size caps).
import type { TemplateLookup } from '../playgrounds/catalog';
import type { ContentProblem } from './errors';
import { ContentFileError, type ContentFiles } from './files';
import type { BaseCatalog } from '../manifests/base';
import { formatBytes } from './limits';
import { playgroundProblems } from './playground';
import type { MarkdownRef } from './markdown';
import type { Content, TaskSpec } from './model';

export interface RefsByFile {
  file: string;
  refs: MarkdownRef[];
}

/** Finds one cycle in the `needs` graph, as the list of task names around it. */
export function findNeedsCycle(tasks: Record<string, Pick<TaskSpec, 'needs'>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of tasks[name]?.needs ?? []) {
      if (!(dep in tasks) || dep === name) continue; // unknown tasks and self-needs are reported on their own
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(tasks).sort()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * `file` is where the tasks were defined (front matter or index.json), for messages.
 * Image sources in `markdown` refs are relative to the content folder.
 */
export function validateContent(
  content: Content,
  taskFile: string,
  markdown: RefsByFile[],
  catalog: TemplateLookup,
  files: ContentFiles,
  opts: {
    skipTemplate?: boolean;
    /** The template manifests: with them `playground:` is checked as the manifest it becomes. */
    bases?: BaseCatalog;
  } = {},
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const add = (file: string, where: string | undefined, message: string) => problems.push({ file, ...(where ? { where } : {}), message });
  const tasks = content.tasks;
  const taskNames = Object.keys(tasks);

  const template = content.playground.template;
  const templateMachines = catalog.machines(template);
  const playgroundField = content.format === 'iximiuz' ? 'playground.name' : 'backend.imageid';
  if (!templateMachines && !opts.skipTemplate) {
    add(taskFile, playgroundField, `unknown template "${template}" (expected one of ${catalog.names().join(', ') || 'no templates found'})`);
  }
  const machines = templateMachines ?? [];
  const listed = content.playground.section?.machines;
  (listed ?? []).forEach((m, i) => {
    if (templateMachines && !machines.includes(m.name)) {
      add(taskFile, `playground.machines[${i}].name`, `unknown machine "${m.name}" (template "${template}" has ${machines.join(', ')})`);
    }
  });
  // The whole playground as the manifest it becomes (its template as base): only when the
  // template and the machines are known, so a wrong name is said once, the way above.
  if (opts.bases && templateMachines && problems.length === 0) {
    for (const line of playgroundProblems(content, opts.bases)) problems.push({ file: taskFile, message: line });
  }
  // Listing machines picks a subset: tasks may only use those.
  const inPlayground = listed ? listed.map((m) => m.name).filter((n) => machines.includes(n)) : machines;

  for (const name of taskNames) {
    const task = tasks[name];
    const field = `tasks.${name}`;
    if (task.machine !== undefined && templateMachines && !inPlayground.includes(task.machine)) {
      const has = machines.includes(task.machine)
        ? `the playground's machines are ${inPlayground.join(', ')} (playground.machines)`
        : `template "${template}" has ${machines.join(', ')}`;
      add(taskFile, `${field}.machine`, `unknown machine "${task.machine}" (${has})`);
    }
    for (const key of ['run', 'hintcheck', 'failcheck'] as const) {
      const script = task[key];
      const size = script === undefined ? 0 : Buffer.byteLength(script, 'utf8');
      if (size > files.limits.scriptBytes) {
        add(taskFile, `${field}.${key}`, `the script is ${formatBytes(size)}, more than the ${formatBytes(files.limits.scriptBytes)} a task script may have`);
      }
    }
    task.needs.forEach((dep, i) => {
      const needed = tasks[dep];
      if (!needed) add(taskFile, `${field}.needs[${i}]`, `unknown task "${dep}" (expected one of ${taskNames.join(', ')})`);
      else if (needed.kind === 'helper') add(taskFile, `${field}.needs[${i}]`, `"${dep}" is a helper task, which never completes`);
      else if (task.kind === 'init' && needed.kind !== 'init') {
        add(taskFile, `${field}.needs[${i}]`, `init task needs "${dep}", which is not an init task (it only runs after every init task passed)`);
      }
      if (dep === name) add(taskFile, `${field}.needs[${i}]`, 'a task cannot need itself');
    });
    for (const [i, line] of task.env.entries()) {
      for (const ref of line.matchAll(/x\(\s*\.needs\.([^.\s)]+)\.[a-z]+\s*\)/g)) {
        if (!task.needs.includes(ref[1])) {
          add(taskFile, `${field}.env[${i}]`, `refers to x(.needs.${ref[1]}…) but "${ref[1]}" is not in needs`);
        }
      }
    }
  }
  const cycle = findNeedsCycle(tasks);
  if (cycle) {
    add(taskFile, `tasks.${cycle[0]}.needs`, `needs form a cycle: ${cycle.join(' → ')}`);
  }

  const shown = new Set<string>();
  for (const { file, refs } of markdown) {
    for (const ref of refs) {
      if (ref.kind === 'task') {
        const task = tasks[ref.task];
        shown.add(ref.task);
        if (!task) {
          add(
            file,
            `line ${ref.line}`,
            `::${ref.component} refers to unknown task "${ref.task}" (expected one of ${taskNames.join(', ') || 'no tasks defined'})`,
          );
        } else if (task.kind !== 'regular') {
          add(file, `line ${ref.line}`, `::${ref.component} shows "${ref.task}", an ${task.kind} task (expected a regular task)`);
        }
      } else {
        const problem = checkImage(files, ref.src);
        if (problem) add(file, `line ${ref.line}`, problem);
      }
    }
  }
  return problems;
}

/** Local images must be usable files inside the content folder; remote ones are left to the renderer. */
export function checkImage(files: ContentFiles, src: string): string | undefined {
  if (/^(https?:|data:)/i.test(src)) return undefined;
  if (!src) return 'image without a source';
  const clean = decodePath(src.split(/[?#]/)[0]).replace(/^\.\//, '');
  try {
    files.checkAsset(clean);
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    return `image ${err.message.replace(/^file /, '')}`;
  }
  return undefined;
}

/** `my%20image.png` → `my image.png`; a malformed escape is left as written. */
function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/**
 * Every file under a folder that is served as is (`__static__/`): each must be a regular
 * file inside the content folder within the size caps, since a viewer shows any of them.
 */
export function checkStaticFolder(files: ContentFiles, rel: string): ContentProblem[] {
  try {
    if (files.kind(rel) !== 'dir') return [];
    for (const f of files.walk(rel)) files.checkAsset(f);
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    return [{ file: err.rel, message: err.message }];
  }
  return [];
}
