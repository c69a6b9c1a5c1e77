import { describe, expect, it } from 'vitest';
import { hostAlias, parseHostAlias, ROUTES } from '../../../../host-agent/api/protocol';

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

  it('encodes route parameters', () => {
    expect(ROUTES.tunnel('pg-1', 'node 1', 22)).toBe('/v1/playgrounds/pg-1/machines/node%201/tunnel?port=22');
  });
});
