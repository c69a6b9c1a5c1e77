import { describe, expect, it } from 'vitest';
import { normalizePath, parseSandlotUri, toUriComponents, toUriString } from '../../../../extension/remote/uri';

describe('sandlot:// URIs', () => {
  it('round-trips playground, machine and path', () => {
    const loc = { playground: 'pg-7f3k2a', machine: 'cplane-01', path: '/home/laborant/notes.txt' };
    const c = toUriComponents(loc);
    expect(c).toEqual({ scheme: 'sandlot', authority: 'pg-7f3k2a.cplane-01', path: '/home/laborant/notes.txt' });
    expect(parseSandlotUri(c)).toEqual(loc);
  });

  it('normalizes the path', () => {
    expect(normalizePath('')).toBe('/');
    expect(normalizePath('root//a/./b/../c/')).toBe('/root/a/c');
    expect(normalizePath('/../..')).toBe('/');
    expect(parseSandlotUri({ scheme: 'sandlot', authority: 'pg-a.dev', path: '' }).path).toBe('/');
  });

  it('encodes unusual file names in the string form', () => {
    expect(toUriString({ playground: 'pg-a', machine: 'dev', path: '/tmp/a b#c' })).toBe('sandlot://pg-a.dev/tmp/a%20b%23c');
  });

  it('accepts an upper-case authority (URIs are case-insensitive there)', () => {
    expect(parseSandlotUri({ scheme: 'sandlot', authority: 'PG-A.Dev', path: '/' })).toMatchObject({ playground: 'pg-a', machine: 'dev' });
  });

  it('rejects what is not a machine, naming the part', () => {
    expect(() => parseSandlotUri({ scheme: 'file', authority: '', path: '/x' })).toThrow(/expected a sandlot:\/\/ URI, got scheme "file"/);
    expect(() => parseSandlotUri({ scheme: 'sandlot', authority: 'pg-a', path: '/' })).toThrow(/expected <playground>\.<machine>/);
    expect(() => parseSandlotUri({ scheme: 'sandlot', authority: 'pg-a.', path: '/' })).toThrow(/expected <playground>\.<machine>/);
    expect(() => parseSandlotUri({ scheme: 'sandlot', authority: 'pg-a.node_1', path: '/' })).toThrow(/machine name: expected a DNS label, got "node_1"/);
    expect(() => toUriComponents({ playground: 'pg a', machine: 'dev', path: '/' })).toThrow(/playground id: .*got "pg a"/);
  });
});
