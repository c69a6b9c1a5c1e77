// Cross-checks that no single schema can express: tasks the markdown shows exist, `needs`
// form a DAG, machines exist in the template, images exist in the content folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContentProblem } from './errors';
import type { MarkdownRef } from './markdown';
import type { TemplateLookup } from '../playgrounds/catalog';
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

/** `file` is where the tasks were defined (front matter or index.json), for messages. */
export function validateContent(content: Content, taskFile: string, markdown: RefsByFile[], catalog: TemplateLookup): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const add = (file: string, where: string | undefined, message: string) => problems.push({ file, ...(where ? { where } : {}), message });
  const tasks = content.tasks;
  const taskNames = Object.keys(tasks);

  const template = content.playground.template;
  const templateMachines = catalog.machines(template);
  const playgroundField = content.format === 'iximiuz' ? 'playground.name' : 'backend.imageid';
  if (!templateMachines) {
    add(taskFile, playgroundField, `unknown template "${template}" (expected one of ${catalog.names().join(', ') || 'no templates found'})`);
  }
  const machines = templateMachines ?? [];
  (content.playground.machines ?? []).forEach((m, i) => {
    if (templateMachines && !machines.includes(m.name)) {
      add(taskFile, `playground.machines[${i}].name`, `unknown machine "${m.name}" (template "${template}" has ${machines.join(', ')})`);
    }
  });

  for (const name of taskNames) {
    const task = tasks[name];
    const field = `tasks.${name}`;
    if (task.machine !== undefined && templateMachines && !machines.includes(task.machine)) {
      add(taskFile, `${field}.machine`, `unknown machine "${task.machine}" (template "${template}" has ${machines.join(', ')})`);
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
        const problem = checkImage(content.dir, ref.src);
        if (problem) add(file, `line ${ref.line}`, problem);
      }
    }
  }
  return problems;
}

/** Local images must exist inside the content folder; remote ones are left to the renderer. */
function checkImage(dir: string, src: string): string | undefined {
  if (/^(https?:|data:)/i.test(src)) return undefined;
  if (!src) return 'image without a source';
  const clean = src.split(/[?#]/)[0].replace(/^\.\//, '');
  const full = path.resolve(dir, clean);
  if (!full.startsWith(path.resolve(dir) + path.sep)) return `image "${src}" points outside the content folder`;
  if (!fs.existsSync(full)) return `image "${src}" not found (expected a file at ${path.relative(dir, full)})`;
  return undefined;
}
