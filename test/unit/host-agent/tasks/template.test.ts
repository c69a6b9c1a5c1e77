import { describe, expect, it } from 'vitest';
import { referencedNeeds, renderEnv, renderScript, renderValue, shellQuote, TemplateError } from '../../../../host-agent/tasks/template';

const ctx = { needs: { init_a: { stdout: '42\n', stderr: 'warn\n' } }, input: `it's "x" $(rm -rf /)` };

describe('x(...) templating', () => {
  it('substitutes needs output and input in env values, without trailing newlines', () => {
    expect(renderEnv(['A=x(.needs.init_a.stdout)', 'B=pre-x( .needs.init_a.stderr )-post', 'C=x(.input)', 'D=a=b'], ctx)).toEqual({
      A: '42',
      B: 'pre-warn-post',
      C: `it's "x" $(rm -rf /)`,
      D: 'a=b',
    });
  });

  it('turns expressions in scripts into variable references, one per distinct expression', () => {
    const out = renderScript('[ "x(.input)" = "x(.needs.init_a.stdout)" ] && echo x(.input)', ctx);
    expect(out.script).toBe('[ "${SANDLOT_X_1}" = "${SANDLOT_X_2}" ] && echo ${SANDLOT_X_1}');
    expect(out.env).toEqual({ SANDLOT_X_1: ctx.input, SANDLOT_X_2: '42' });
  });

  it('leaves scripts without expressions alone', () => {
    expect(renderScript('echo $(date) x(y)', ctx)).toEqual({ script: 'echo $(date) x(y)', env: {} });
  });

  it('names the problem for unknown expressions, missing needs and missing input', () => {
    expect(() => renderValue('x(.foo)', ctx)).toThrow(TemplateError);
    expect(() => renderValue('x(.foo)', ctx)).toThrow('unknown expression x(.foo) (expected x(.needs.<task>.stdout), x(.needs.<task>.stderr) or x(.input))');
    expect(() => renderValue('x(.needs.other.stdout)', ctx)).toThrow('x(.needs.other.stdout): task "other" is not in needs or has not completed');
    expect(() => renderValue('x(.needs.init_a.exitcode)', ctx)).toThrow('unknown expression');
    expect(() => renderValue('x(.input)', { needs: {} })).toThrow('x(.input) is only available to user-input tasks');
  });

  it('lists referenced needs', () => {
    expect(referencedNeeds('A=x(.needs.a.stdout) x(.input) x(.needs.b-2.stderr)')).toEqual(['a', 'b-2']);
  });

  it('quotes for the shell', () => {
    expect(shellQuote(`a'b`)).toBe(`'a'\\''b'`);
  });
});
