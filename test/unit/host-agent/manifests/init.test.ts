import { describe, expect, it } from 'vitest';
import { parseInitArgs, planInitTasks, resolveInitValues, valueProblem } from '../../../../host-agent/manifests/init';
import { loadManifestText } from '../../../../host-agent/manifests/load';
import { fixture, problems, withPlayground } from './fixtures';

const every = loadManifestText(fixture('every-field.playground.yaml'), 'x');

describe('init conditions', () => {
  it('takes defaults, checks options, regex and nullable, and names unknown keys', () => {
    expect(resolveInitValues(every, {})).toEqual({ values: { size: 'small', repo_url: '' }, problems: [] });
    expect(resolveInitValues(every, { size: 'large', repo_url: 'https://git.example.com/x' })).toEqual({
      values: { size: 'large', repo_url: 'https://git.example.com/x' },
      problems: [],
    });
    expect(resolveInitValues(every, { size: 'huge', repo_url: 'git@x', colour: 'red' }).problems).toEqual([
      'init condition colour: unknown (expected one of size, repo_url)',
      'init condition size: expected one of small, large, got "huge"',
      'init condition repo_url: expected a value matching ^https://.*$, got "git@x"',
    ]);
    const noDefault = loadManifestText(withPlayground('  initConditions: { values: [{ key: flavour, options: [a, b] }] }\n'), 'x');
    expect(resolveInitValues(noDefault, {}).problems).toEqual(['init condition flavour: a value is required (one of a, b)']);
    const none = loadManifestText(withPlayground(''), 'x');
    expect(resolveInitValues(none, { x: '1' }).problems).toEqual(['init condition x: this playground has no init conditions']);
    expect(valueProblem({ key: 'k', nullable: true }, '')).toBeUndefined();
  });

  it('parses -i key=value (values may hold "=") and refuses the rest', () => {
    expect(parseInitArgs(['size=large', 'q=a=b'])).toEqual({ values: { size: 'large', q: 'a=b' }, problems: [] });
    expect(parseInitArgs(['novalue', '=x', 'a=1', 'a=2']).problems).toEqual([
      '-i novalue: expected key=value',
      '-i =x: expected key=value',
      '-i a: given twice',
    ]);
  });
});

describe('init tasks', () => {
  it('runs only tasks whose conditions match, with user, machine and timeout defaults, dropping needs on skipped tasks', () => {
    const m = loadManifestText(
      withPlayground(
        `  initConditions: { values: [{ key: mode, default: a, options: [a, b] }] }
  initTasks:
    first: { init: true, run: "echo 1", conditions: [{ key: mode, value: b }] }
    second: { machine: dev, user: root, needs: [first], timeout_seconds: 5, run: "echo 2", env: ["X=1"] }
`,
        '{ name: dev }',
      ),
      'x',
    );
    expect(planInitTasks(m, { mode: 'a' })).toEqual([
      { name: 'second', machine: 'dev', user: 'root', run: 'echo 2', needs: [], timeoutSeconds: 5, env: ['X=1'] },
    ]);
    expect(planInitTasks(m, { mode: 'b' }).map((t) => [t.name, t.user, t.timeoutSeconds, t.needs])).toEqual([
      ['first', 'root', 60, []],
      ['second', 'root', 5, ['first']],
    ]);
    expect(planInitTasks(every, { size: 'large' }).map((t) => `${t.name}@${t.machine} as ${t.user}`)).toEqual([
      'init_tools@gateway as root',
      'init_seed@gateway as laborant',
    ]);
  });

  it('refuses cycles, unknown needs, machines, users, conditions, and init: false', () => {
    expect(
      problems(
        withPlayground(
          `  initConditions: { values: [{ key: mode, default: a, options: [a, b] }] }
  initTasks:
    a: { needs: [b], run: "true" }
    b: { needs: [c], run: "true" }
    c: { needs: [a, ghost], run: "true" }
    d: { machine: nope, run: "true" }
    e: { user: bob, run: "true" }
    f: { init: false, run: "true", conditions: [{ key: mode, value: z }, { key: other, value: x }] }
`,
          '{ name: dev, users: [{ name: laborant }] }',
        ),
      ),
    ).toEqual([
      'pg.yaml: playground.initTasks.c.needs[1]: unknown task "ghost" (expected one of a, b, c, d, e, f)',
      'pg.yaml: playground.initTasks.d.machine: unknown machine "nope" (expected one of dev)',
      'pg.yaml: playground.initTasks.e.user: machine "dev" has no user "bob" (expected root or one of laborant)',
      "pg.yaml: playground.initTasks.f.init: expected true (a playground's tasks are init tasks; regular tasks belong to tutorials and challenges)",
      'pg.yaml: playground.initTasks.f.conditions[0].value: can never match: expected one of a, b, got "z"',
      'pg.yaml: playground.initTasks.f.conditions[1].key: unknown init condition "other" (declare it in playground.initConditions.values)',
      'pg.yaml: playground.initTasks.a.needs: tasks need each other in a cycle: a → b → c → a',
    ]);
  });

  it('refuses bad init conditions: duplicate keys, defaults outside options or regex, broken regex, empty non-nullable default', () => {
    expect(
      problems(
        withPlayground(`  initConditions:
    values:
      - { key: k, default: x, options: [a, b] }
      - { key: k }
      - { key: r, default: abc, validationRegex: "^[0-9]+$" }
      - { key: broken, validationRegex: "([" }
      - { key: empty, default: "" }
`),
      ),
    ).toEqual([
      'pg.yaml: playground.initConditions.values[0].default: "x" is not one of the options (a, b)',
      'pg.yaml: playground.initConditions.values[1].key: duplicate key "k" (also playground.initConditions.values[0])',
      'pg.yaml: playground.initConditions.values[2].default: "abc" does not match validationRegex ^[0-9]+$',
      expect.stringMatching(/^pg\.yaml: playground\.initConditions\.values\[3\]\.validationRegex: not a valid regular expression \(/),
      'pg.yaml: playground.initConditions.values[4].default: empty, but the condition is not nullable (set nullable: true or give a value)',
    ]);
  });
});
