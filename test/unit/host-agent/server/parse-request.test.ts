import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../../../host-agent/api/protocol';
import { createPlaygroundBody, execBody, extendBody, taskInputBody, tunnelQuery } from '../../../../host-agent/api/schemas';
import { parseRequest } from '../../../../host-agent/server/parse-request';

const problem = (fn: () => unknown): ApiProblem => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiProblem) return err;
    throw err;
  }
  throw new Error('expected a problem');
};

describe('request bodies', () => {
  it('refuses bodies that are not objects, naming the request body', () => {
    for (const [body, got] of [
      [null, 'null'],
      [[], 'array'],
      ['x', '"x"'],
      [7, '7'],
    ] as const) {
      const p = problem(() => parseRequest(createPlaygroundBody, body, 'request body'));
      expect(p.status).toBe(400);
      expect(p.code).toBe('invalid_request');
      expect(p.message).toMatch(new RegExp(`^request body: expected a JSON object, got ${got === 'array' ? '\\[\\]' : got}`));
    }
  });

  it('names the field and what was expected', () => {
    expect(problem(() => parseRequest(createPlaygroundBody, { template: 'linux', lifetimeMinutes: 'abc' }, 'request body')).message).toBe(
      'lifetimeMinutes: expected a number of minutes (more than 0, at most 10080), got "abc"',
    );
    expect(problem(() => parseRequest(extendBody, {}, 'request body')).message).toBe(
      'minutes: expected a number of minutes (more than 0, at most 10080), got nothing',
    );
    expect(problem(() => parseRequest(execBody, { command: '' }, 'request body')).message).toBe('command: expected a non-empty string');
    expect(problem(() => parseRequest(execBody, { command: 'true', env: { 'A B': 'x' } }, 'request body')).message).toBe(
      'env.A B: expected a variable name like FOO_BAR',
    );
    expect(problem(() => parseRequest(execBody, { command: 'true', env: { A: 1 } }, 'request body')).message).toBe('env.A: expected a string value');
    expect(problem(() => parseRequest(taskInputBody, { value: null }, 'request body')).message).toBe('value: expected the answer as a string');
  });

  it('names unknown fields (a typo is not silently ignored)', () => {
    expect(problem(() => parseRequest(createPlaygroundBody, { template: 'linux', lifetimeMinuts: 5 }, 'request body')).message).toBe(
      'lifetimeMinuts: unknown field',
    );
  });

  it('asks for exactly one of template and manifest', () => {
    expect(problem(() => parseRequest(createPlaygroundBody, {}, 'request body')).message).toBe(
      'template: expected "template" (a catalog name) or "manifest" (YAML text)',
    );
    expect(problem(() => parseRequest(createPlaygroundBody, { template: 'a', manifest: 'b' }, 'request body')).message).toBe(
      'manifest: give either "template" or "manifest", not both',
    );
  });

  it('keeps messages on one line: names with control characters are refused', () => {
    const p = problem(() => parseRequest(createPlaygroundBody, { manifest: 'x', manifestName: 'a\nb' }, 'request body'));
    expect(p.message).toBe('manifestName: expected one line without control characters');
  });

  it('reports several problems on one line', () => {
    const p = problem(() => parseRequest(execBody, { command: 5, timeoutSeconds: -1 }, 'request body'));
    expect(p.message).toBe('command: expected a non-empty string; timeoutSeconds: expected a positive number');
  });

  it('passes a good body through with its types', () => {
    expect(parseRequest(createPlaygroundBody, { template: 'linux', lifetimeMinutes: 30 }, 'request body')).toEqual({ template: 'linux', lifetimeMinutes: 30 });
  });
});

describe('queries', () => {
  it('turns the tunnel port into a number and refuses what is not a port', () => {
    expect(parseRequest(tunnelQuery, { port: '8080' }, 'query')).toEqual({ port: 8080 });
    expect(parseRequest(tunnelQuery, {}, 'query')).toEqual({});
    for (const port of ['0', '70000', 'ssh', '-1', '']) {
      expect(problem(() => parseRequest(tunnelQuery, { port }, 'query')).message).toBe(`port: expected 1-65535, got ${JSON.stringify(port)}`);
    }
  });
});
