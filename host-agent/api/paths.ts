// Route path templates (`/v1/playgrounds/:id/machines/:machine/exec`): the types of their
// parameters, building a URL from one, and matching a URL against one. The client builds
// with these and the server matches with them, so the two cannot drift apart.

type ParamName<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamName<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** `{ id: string; machine: string }` for `/v1/playgrounds/:id/machines/:machine/exec`. */
export type PathParams<P extends string> = { [K in ParamName<P>]: string };

/** Parameter names of a template, in order. */
export function paramNames(template: string): string[] {
  return template
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1));
}

/** The path with every `:name` replaced by its URI-encoded value. */
export function buildPath(template: string, params: Record<string, string>): string {
  return template
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment;
      const value = params[segment.slice(1)];
      if (value === undefined) throw new Error(`${template}: no value for ${segment}`);
      return encodeURIComponent(value);
    })
    .join('/');
}

export type PathMatch = { params: Record<string, string> } | { malformed: string } | undefined;

/**
 * Matches a request path (still URI-encoded) against a template. A parameter matches any
 * one non-empty segment; what a valid value is, is for the handler to say (it can name
 * the playground or machine that does not exist, which a 404 "no route" could not).
 */
export function matchPath(template: string, pathname: string): PathMatch {
  const want = template.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (!got[i]) return undefined;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return { malformed: `${want[i].slice(1)}: malformed percent-encoding in ${JSON.stringify(got[i])}` };
      }
    } else if (want[i] !== got[i]) return undefined;
  }
  return { params };
}
