// Init conditions and init tasks of a playground manifest, as iximiuz Labs documents them:
// conditions are start-time values (`-i key=value`, or asked in VS Code) with a default,
// options, an optional regex and `nullable`; an init task runs only when every one of
// its `conditions` matches the chosen values, as its `user` (root unless given), on its
// `machine` (the first unless given), within `timeout_seconds` (60 unless given), after
// the tasks it `needs`. No Node-only imports: the extension bundles this file to ask for
// the values.
import type { InitCondition, PlaygroundManifest } from './schema';
import { errorMessage } from '../util/errors';

export const DEFAULT_INIT_TIMEOUT_SECONDS = 60;
export const DEFAULT_INIT_USER = 'root';

/** One init task as the task engine runs it. */
export interface PlannedInitTask {
  name: string;
  machine: string;
  user: string;
  run: string;
  /** Only tasks that run: a need on a skipped task is dropped (it will never complete). */
  needs: string[];
  timeoutSeconds: number;
  env: string[];
}

export type InitValues = Record<string, string>;

/** Problems with the manifest's init conditions and tasks, one line per field. */
export function initProblems(manifest: PlaygroundManifest): string[] {
  const problems: string[] = [];
  const conditions = manifest.playground.initConditions?.values ?? [];
  const byKey = new Map<string, number>();
  conditions.forEach((c, i) => {
    const at = `playground.initConditions.values[${i}]`;
    const prev = byKey.get(c.key);
    if (prev !== undefined) problems.push(`${at}.key: duplicate key "${c.key}" (also playground.initConditions.values[${prev}])`);
    byKey.set(c.key, i);
    let regex: RegExp | undefined;
    if (c.validationRegex !== undefined) {
      try {
        regex = new RegExp(c.validationRegex);
      } catch (err) {
        problems.push(`${at}.validationRegex: not a valid regular expression (${errorMessage(err)})`);
      }
    }
    if (c.default !== undefined && c.default !== '') {
      if (c.options && !c.options.includes(c.default)) problems.push(`${at}.default: "${c.default}" is not one of the options (${c.options.join(', ')})`);
      if (regex && !regex.test(c.default)) problems.push(`${at}.default: "${c.default}" does not match validationRegex ${c.validationRegex}`);
    }
    if (c.default === '' && !c.nullable) problems.push(`${at}.default: empty, but the condition is not nullable (set nullable: true or give a value)`);
  });

  const tasks = manifest.playground.initTasks ?? {};
  const machines = manifest.playground.machines;
  for (const [name, t] of Object.entries(tasks)) {
    const at = `playground.initTasks.${name}`;
    if (t.init === false) problems.push(`${at}.init: expected true (a playground's tasks are init tasks; regular tasks belong to tutorials and challenges)`);
    const machine = machines.find((m) => m.name === (t.machine ?? machines[0].name));
    if (!machine) problems.push(`${at}.machine: unknown machine "${t.machine}" (expected one of ${machines.map((m) => m.name).join(', ')})`);
    // A machine that lists its users has only those (and root); one that lists none has what its image has.
    else if (t.user !== undefined && t.user !== 'root' && machine.users && !machine.users.some((u) => u.name === t.user)) {
      problems.push(`${at}.user: machine "${machine.name}" has no user "${t.user}" (expected root or one of ${machine.users.map((u) => u.name).join(', ')})`);
    }
    (t.needs ?? []).forEach((need, j) => {
      if (!(need in tasks)) problems.push(`${at}.needs[${j}]: unknown task "${need}" (expected one of ${Object.keys(tasks).join(', ')})`);
    });
    (t.conditions ?? []).forEach((c, j) => {
      const i = byKey.get(c.key);
      if (i === undefined) {
        problems.push(`${at}.conditions[${j}].key: unknown init condition "${c.key}" (declare it in playground.initConditions.values)`);
        return;
      }
      const why = valueProblem(conditions[i], c.value);
      if (why) problems.push(`${at}.conditions[${j}].value: can never match: ${why}`);
    });
  }
  const cycle = findCycle(tasks);
  if (cycle) problems.push(`playground.initTasks.${cycle[0]}.needs: tasks need each other in a cycle: ${cycle.join(' → ')}`);
  return problems;
}

/**
 * The value of every init condition for one start: given ones checked against options and
 * regex, the rest from their defaults. Each problem names the key and what was expected.
 */
export function resolveInitValues(manifest: PlaygroundManifest, given: InitValues): { values: InitValues; problems: string[] } {
  const conditions = manifest.playground.initConditions?.values ?? [];
  const problems: string[] = [];
  const values: InitValues = {};
  for (const key of Object.keys(given)) {
    if (!conditions.some((c) => c.key === key)) {
      problems.push(
        conditions.length === 0
          ? `init condition ${key}: this playground has no init conditions`
          : `init condition ${key}: unknown (expected one of ${conditions.map((c) => c.key).join(', ')})`,
      );
    }
  }
  for (const c of conditions) {
    const value = given[c.key] ?? c.default ?? '';
    const why = valueProblem(c, value);
    if (why) problems.push(`init condition ${c.key}: ${why}`);
    else values[c.key] = value;
  }
  return { values, problems };
}

/** Why a value is not acceptable for a condition, or undefined. Shared by the CLI, the agent and the VS Code prompts. */
export function valueProblem(c: InitCondition, value: string): string | undefined {
  if (value === '') return c.nullable ? undefined : `a value is required${c.options ? ` (one of ${c.options.join(', ')})` : ''}`;
  if (c.options && !c.options.includes(value)) return `expected one of ${c.options.join(', ')}, got ${JSON.stringify(value)}`;
  if (c.validationRegex !== undefined && !safeRegex(c.validationRegex)?.test(value)) {
    return `expected a value matching ${c.validationRegex}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** The init tasks that run for these values, in the manifest's order, with defaults filled in. */
export function planInitTasks(manifest: PlaygroundManifest, values: InitValues): PlannedInitTask[] {
  const tasks = Object.entries(manifest.playground.initTasks ?? {});
  const runs = new Set(tasks.filter(([, t]) => (t.conditions ?? []).every((c) => values[c.key] === c.value)).map(([name]) => name));
  return tasks
    .filter(([name]) => runs.has(name))
    .map(([name, t]) => ({
      name,
      machine: t.machine ?? manifest.playground.machines[0].name,
      user: t.user ?? DEFAULT_INIT_USER,
      run: t.run,
      needs: (t.needs ?? []).filter((n) => runs.has(n)),
      timeoutSeconds: t.timeout_seconds ?? DEFAULT_INIT_TIMEOUT_SECONDS,
      env: t.env ?? [],
    }));
}

/** `-i key=value` arguments → values; the value may itself hold `=`. */
export function parseInitArgs(args: readonly string[]): { values: InitValues; problems: string[] } {
  const values: InitValues = {};
  const problems: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      problems.push(`-i ${arg}: expected key=value`);
      continue;
    }
    const key = arg.slice(0, eq);
    if (key in values) problems.push(`-i ${key}: given twice`);
    values[key] = arg.slice(eq + 1);
  }
  return { values, problems };
}

function safeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** One cycle through `needs` as a path (`a → b → a`), or undefined. */
function findCycle(tasks: Record<string, { needs?: string[] }>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !(name in tasks)) return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const need of tasks[name].needs ?? []) {
      const found = visit(need);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(tasks)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
