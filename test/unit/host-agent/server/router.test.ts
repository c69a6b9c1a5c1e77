import { describe, expect, it } from 'vitest';
import { buildPath, paramNames } from '../../../../host-agent/api/paths';
import { API, ApiProblem, ROUTE_NAMES } from '../../../../host-agent/api/protocol';
import { declaresError, findRoute } from '../../../../host-agent/server/router';

const problemOf = (fn: () => unknown): ApiProblem => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiProblem) return err;
    throw err;
  }
  throw new Error('expected a problem');
};

describe('finding routes', () => {
  it('finds every route of the table from the path the client builds for it', () => {
    for (const name of ROUTE_NAMES) {
      const params = Object.fromEntries(paramNames(API[name].path).map((p) => [p, `v ${p}/x`]));
      const path = buildPath(API[name].path, params);
      const ws = API[name].method === 'WS';
      expect(findRoute(ws ? 'GET' : API[name].method, path, ws)).toEqual({ name, params });
    }
  });

  it('answers 404 for unknown paths, 405 for a wrong method, 426 for a WebSocket route without upgrade', () => {
    expect(problemOf(() => findRoute('GET', '/v1/nothing', false))).toMatchObject({ status: 404, code: 'route_not_found' });
    expect(problemOf(() => findRoute('PUT', '/v1/playgrounds/pg-1', false))).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/pg-1/events', false))).toMatchObject({ status: 426, code: 'upgrade_required' });
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/pg-1', true))).toMatchObject({ status: 404, code: 'route_not_found' });
  });

  it('answers 400 for a malformed parameter', () => {
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/%zz', false))).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('knows which codes a route declares', () => {
    expect(declaresError('createPlayground', 'template_not_found')).toBe(true);
    expect(declaresError('createPlayground', 'invalid_request')).toBe(true);
    expect(declaresError('info', 'playground_not_found')).toBe(false);
  });
});
