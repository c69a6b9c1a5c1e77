import { describe, expect, it } from 'vitest';
import { buildPath, matchPath, paramNames } from '../../../../host-agent/api/paths';
import { API, API_ERRORS, API_PREFIX, apiPath, hostAlias, parseHostAlias, ROUTE_NAMES } from '../../../../host-agent/api/protocol';

describe('host aliases', () => {
  it('round-trips playground and machine names, including dashes', () => {
    for (const [pg, m] of [
      ['pg-abc123', 'dev'],
      ['pg-x9', 'node-01'],
      ['pg-aaaa', 'cplane-01'],
    ]) {
      expect(parseHostAlias(hostAlias(pg, m))).toEqual({ playground: pg, machine: m });
    }
  });

  it('refuses anything that is not a Sandlot alias', () => {
    for (const a of ['example.com', 'sandlot--', 'sandlot--pg-1', 'sandlot--pg-1--', 'sandlot----dev', 'xsandlot--pg-1--dev']) {
      expect(parseHostAlias(a)).toBeUndefined();
    }
  });
});

describe('the route table', () => {
  it('encodes route parameters', () => {
    expect(apiPath('tunnel', { id: 'pg-1', machine: 'node 1' }, { port: 22 })).toBe('/v1/playgrounds/pg-1/machines/node%201/tunnel?port=22');
  });

  it('has no two routes for one method and path, and every path under the API prefix', () => {
    const seen = new Set<string>();
    for (const name of ROUTE_NAMES) {
      const { method, path } = API[name];
      expect(path.startsWith(`${API_PREFIX}/`)).toBe(true);
      const key = `${method === 'WS' || method === 'TCP' ? 'GET' : method} ${path.replace(/:[a-z]+/g, ':')}`;
      expect(seen.has(key), `${name}: ${key} is taken`).toBe(false);
      seen.add(key);
    }
  });

  it('gives no path two meanings: a path built for one route matches no other of the same method', () => {
    for (const name of ROUTE_NAMES) {
      const params = Object.fromEntries(paramNames(API[name].path).map((p) => [p, `x-${p}`]));
      const path = buildPath(API[name].path, params);
      for (const other of ROUTE_NAMES) {
        if (other === name || API[other].method !== API[name].method) continue;
        expect(matchPath(API[other].path, path), `${path} also matches ${other}`).toBeUndefined();
      }
    }
  });

  it('lists only known error codes, each with an HTTP error status', () => {
    for (const name of ROUTE_NAMES) for (const code of API[name].errors) expect(API_ERRORS[code]).toBeGreaterThanOrEqual(400);
  });

  it('declares a body schema exactly on the routes that take a body', () => {
    const withBody = ROUTE_NAMES.filter((n) => 'body' in API[n]).sort();
    expect(withBody).toEqual([
      'clientLog',
      'createPlayground',
      'createSnapshot',
      'exec',
      'extendPlayground',
      'forkPlayground',
      'forkSnapshot',
      'machineChanged',
      'savePlayground',
      'saveSnapshot',
      'startContent',
      'taskInput',
    ]);
    for (const n of withBody) expect(API[n].method).toBe('POST');
  });
});
