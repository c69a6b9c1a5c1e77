import { describe, expect, it } from 'vitest';
import { buildPath, paramNames } from '../../../../host-agent/api/paths';
import { API, ApiProblem, ROUTE_NAMES } from '../../../../host-agent/api/protocol';
import { declaresError, findRoute, upgradeProtocol } from '../../../../host-agent/server/router';

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
      const method = API[name].method;
      const upgrade = method === 'WS' ? 'websocket' : method === 'TCP' ? 'tcp' : undefined;
      expect(findRoute(upgrade ? 'GET' : method, path, upgrade)).toEqual({ name, params });
    }
  });

  it('answers 404 for unknown paths, 405 for a wrong method, 426 for an upgrade route without upgrade', () => {
    expect(problemOf(() => findRoute('GET', '/v1/nothing'))).toMatchObject({ status: 404, code: 'route_not_found' });
    expect(problemOf(() => findRoute('PUT', '/v1/playgrounds/pg-1'))).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/pg-1/events'))).toMatchObject({ status: 426, code: 'upgrade_required' });
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/pg-1/machines/dev/tcp'))).toMatchObject({ status: 426, message: /Upgrade: tcp/ });
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/pg-1', 'websocket'))).toMatchObject({ status: 404, code: 'route_not_found' });
    // Each upgrade protocol reaches only its own routes.
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/pg-1/machines/dev/tunnel', 'tcp'))).toMatchObject({ status: 404, code: 'route_not_found' });
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/pg-1/machines/dev/tcp', 'websocket'))).toMatchObject({ status: 404, code: 'route_not_found' });
  });

  it('reads the upgrade protocol of a request', () => {
    expect(['websocket', 'WebSocket', 'tcp', ' TCP ', 'h2c', '', undefined].map(upgradeProtocol)).toEqual([
      'websocket',
      'websocket',
      'tcp',
      'tcp',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('answers 400 for a malformed parameter', () => {
    expect(problemOf(() => findRoute('GET', '/v1/playgrounds/%zz'))).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('knows which codes a route declares', () => {
    expect(declaresError('createPlayground', 'template_not_found')).toBe(true);
    expect(declaresError('createPlayground', 'invalid_request')).toBe(true);
    expect(declaresError('info', 'playground_not_found')).toBe(false);
  });
});
