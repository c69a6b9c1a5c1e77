// Request bodies and queries checked against their route's zod schema. What does not fit
// becomes one 400 line naming the field (`lifetimeMinutes: expected a number …, got "x"`),
// never a cast that fails later inside the agent.
import type { z } from 'zod';
import { ApiProblem, showValue } from '../api/protocol';
import { formatPath } from '../manifests/load';

const ARTICLE: Record<string, string> = { object: 'a JSON object', array: 'an array', string: 'a string', number: 'a number', boolean: 'true or false' };

/** One issue as `field: what was expected`; `where` names the top level (`request body`). */
function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  const field = issue.path.length > 0 ? formatPath(issue.path) : where;
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => (issue.path.length > 0 ? `${field}.${k}` : k));
    return `${names.join(', ')}: unknown field${names.length > 1 ? 's' : ''}`;
  }
  if (issue.code === 'invalid_key' && issue.issues[0]) return `${field}: ${issue.issues[0].message}`;
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    // zod's own wording; a custom `error` in the schema says more and is kept as it is.
    const expected = ARTICLE[issue.expected] ?? issue.expected;
    return issue.input === undefined
      ? `${field}: required field is missing (expected ${expected})`
      : `${field}: expected ${expected}, got ${showValue(issue.input)}`;
  }
  return `${field}: ${issue.message}`;
}

/** Parses `value` with `schema` or throws a 400 naming every field that does not fit, on one line. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ApiProblem('invalid_request', result.error.issues.map((i) => describeIssue(i, where)).join('; '));
}
