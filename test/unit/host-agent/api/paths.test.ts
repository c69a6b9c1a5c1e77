import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildPath, matchPath, paramNames, type PathParams } from '../../../../host-agent/api/paths';

describe('route path templates', () => {
  it('types the parameters of a template', () => {
    expectTypeOf<PathParams<'/v1/playgrounds/:id/machines/:machine/exec'>>().toEqualTypeOf<{ id: string; machine: string }>();
    expectTypeOf<PathParams<'/v1/playgrounds/:id'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<keyof PathParams<'/v1/info'>>().toEqualTypeOf<never>();
  });

  it('builds a path that matches its own template, whatever the values hold', () => {
    const template = '/v1/playgrounds/:id/machines/:machine/tunnel';
    for (const params of [
      { id: 'pg-1', machine: 'dev' },
      { id: 'pg 1', machine: 'a/b' },
      { id: '%41', machine: 'ü?#' },
    ]) {
      const path = buildPath(template, params);
      expect(matchPath(template, path)).toEqual({ params });
    }
    expect(paramNames(template)).toEqual(['id', 'machine']);
  });

  it('matches whole segments only', () => {
    expect(matchPath('/v1/playgrounds/:id', '/v1/playgrounds')).toBeUndefined();
    expect(matchPath('/v1/playgrounds/:id', '/v1/playgrounds/')).toBeUndefined();
    expect(matchPath('/v1/playgrounds/:id', '/v1/playgrounds/pg-1/stop')).toBeUndefined();
    expect(matchPath('/v1/playgrounds/:id/stop', '/v1/playgrounds/pg-1/start')).toBeUndefined();
  });

  it('reports malformed percent-encoding by the parameter it is in', () => {
    const m = matchPath('/v1/playgrounds/:id', '/v1/playgrounds/%E0%A4%A');
    expect(m && 'malformed' in m && m.malformed).toMatch(/^id: malformed percent-encoding/);
  });

  it('refuses to build a path with a missing parameter', () => {
    expect(() => buildPath('/v1/playgrounds/:id', {})).toThrow(/no value for :id/);
  });
});
