// `x(...)` expressions in task scripts and env, as iximiuz Labs writes them:
// `x(.needs.<task>.stdout)`, `x(.needs.<task>.stderr)` and `x(.input)`.
// In `env` values they are replaced by the text itself. In scripts they become
// references to environment variables, so a learner's answer or a task's output can
// never be executed as shell code: `[ "x(.input)" = 42 ]` runs as `[ "${SANDLOT_X_1}" = 42 ]`.

const EXPR = /x\(\s*\.([A-Za-z0-9_.-]+)\s*\)/g;

export interface TemplateContext {
  needs: Record<string, { stdout: string; stderr: string } | undefined>;
  input?: string;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** The value of one expression path (`needs.init_a.stdout`, `input`). */
export function resolveExpression(path: string, ctx: TemplateContext): string {
  if (path === 'input') {
    if (ctx.input === undefined) throw new TemplateError('x(.input) is only available to user-input tasks after an answer was submitted');
    return ctx.input;
  }
  const m = /^needs\.([A-Za-z0-9_-]+)\.(stdout|stderr)$/.exec(path);
  if (!m) throw new TemplateError(`unknown expression x(.${path}) (expected x(.needs.<task>.stdout), x(.needs.<task>.stderr) or x(.input))`);
  const out = ctx.needs[m[1]];
  if (!out) throw new TemplateError(`x(.${path}): task "${m[1]}" is not in needs or has not completed`);
  // Trailing newlines come from `echo`; nobody means them as part of the value.
  return (m[2] === 'stderr' ? out.stderr : out.stdout).replace(/\n+$/, '');
}

export function renderValue(text: string, ctx: TemplateContext): string {
  return text.replace(EXPR, (_, path: string) => resolveExpression(path, ctx));
}

/** `KEY=VALUE` lines → variables, with expressions in values resolved. */
export function renderEnv(lines: string[], ctx: TemplateContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf('=');
    env[line.slice(0, eq)] = renderValue(line.slice(eq + 1), ctx);
  }
  return env;
}

/** Replaces expressions in a script by `${SANDLOT_X_n}` and returns the variables to set. */
export function renderScript(script: string, ctx: TemplateContext): { script: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const names = new Map<string, string>();
  const out = script.replace(EXPR, (_, path: string) => {
    let name = names.get(path);
    if (!name) {
      name = `SANDLOT_X_${names.size + 1}`;
      names.set(path, name);
      env[name] = resolveExpression(path, ctx);
    }
    return `\${${name}}`;
  });
  return { script: out, env };
}

/** Task names an env list or script refers to through `x(.needs.<task>…)`. */
export function referencedNeeds(text: string): string[] {
  return [...text.matchAll(EXPR)].flatMap((m) => {
    const n = /^needs\.([A-Za-z0-9_-]+)\./.exec(m[1]);
    return n ? [n[1]] : [];
  });
}

// Task commands quote with the one shell quoting function of the code base.
export { shellQuote } from '../util/shell-quote';
