import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupFromMap } from '../../../../host-agent/playgrounds/catalog';
import type { ContentProblem } from '../../../../host-agent/content/errors';
import { ContentFiles } from '../../../../host-agent/content/files';
import { checkContent } from '../../../../host-agent/content/load';
import { findSolutions, parseSolutionScript, type SolutionStep } from '../../../../host-agent/content/solution';
import { contentDir, indexMd } from './helpers';

const catalog = lookupFromMap({ linux: ['dev', 'node-01'] });
const CHALLENGE = indexMd('kind: challenge\ntitle: T\nplayground: { name: linux }\ntasks:\n  verify_a:\n    run: "true"\n  verify_b:\n    run: "true"');

function solutionsOf(dir: string) {
  const { content, problems } = checkContent(dir, catalog);
  expect(problems).toEqual([]);
  return findSolutions(new ContentFiles(dir), content!);
}

describe('parseSolutionScript (iximiuz Labs .solution.sh)', () => {
  it('splits at # session: lines; what comes first runs on the default machine', () => {
    const problems: ContentProblem[] = [];
    const steps = parseSolutionScript(
      'mkdir /x\n\n# session: root@node-01\nsystemctl restart kubelet\nexaminerctl task wait verify_a --timeout 180s\n# session: dev retry=20\ncurl -sf localhost\n',
      '.solution.sh',
      problems,
    );
    expect(problems).toEqual([]);
    expect(steps).toEqual<SolutionStep[]>([
      { kind: 'run', script: 'mkdir /x\n', mode: 'strict', label: 'chunk 1, line 1' },
      {
        kind: 'run',
        machine: 'node-01',
        user: 'root',
        script: 'systemctl restart kubelet\nexaminerctl task wait verify_a --timeout 180s',
        mode: 'strict',
        label: 'chunk 2 (# session: root@node-01), line 4',
      },
      { kind: 'run', machine: 'dev', script: 'curl -sf localhost\n', mode: 'strict', retry: 20, label: 'chunk 3 (# session: dev retry=20), line 7' },
    ]);
  });

  it('drops empty chunks and names bad session lines and flags by line', () => {
    const problems: ContentProblem[] = [];
    const steps = parseSolutionScript('# session: root@dev\n# session: Not A Machine!\necho hi\n# session: dev forever\n', 's.sh', problems);
    // The bad line stays in the script (a comment to the shell); the last session is empty.
    expect(steps.map((s) => (s.kind === 'run' ? [s.machine, s.script] : []))).toEqual([['dev', '# session: Not A Machine!\necho hi']]);
    expect(problems).toEqual([
      { file: 's.sh', where: 'line 2', message: 'expected "# session: [user@]machine [retry=N]", got "# session: Not A Machine!"' },
      { file: 's.sh', where: 'line 4', message: 'unknown session flag "forever" (expected retry or retry=N)' },
    ]);
  });
});

describe('findSolutions', () => {
  it('prefers .solution*.sh, one solution per file, in name order', () => {
    const dir = contentDir('c', {
      'index.md': CHALLENGE,
      '.solution-02.sh': 'echo two\n',
      '.solution-01.sh': 'echo one\n',
      'solution.md': '```sh\necho md\n```\n',
    });
    const found = solutionsOf(dir);
    expect(found.solutions.map((s) => [s.name, s.steps.length])).toEqual([
      ['.solution-01.sh', 1],
      ['.solution-02.sh', 1],
    ]);
  });

  it('takes the shell blocks of solution.md, not its output blocks, as typed into a terminal', () => {
    const md =
      '---\ntitle: How\n---\nFirst:\n\n```bash\ndocker run -d nginx\n```\n\nIt prints:\n\n```\n3f2a…\n```\n\n::details-box\n---\n:summary: More\n---\n```sh\ndocker ps\n```\n::\n';
    const found = solutionsOf(contentDir('c', { 'index.md': CHALLENGE, 'solution.md': md }));
    expect(found.solutions).toHaveLength(1);
    const [step] = found.solutions[0].steps;
    expect(step).toMatchObject({ kind: 'run', mode: 'terminal', label: '2 shell block(s)' });
    expect(step.kind === 'run' && step.script).toBe('# ---- block ----\ndocker run -d nginx\n# ---- block ----\ndocker ps');
  });

  it('says when solution.md has nothing to run', () => {
    const found = solutionsOf(contentDir('c', { 'index.md': CHALLENGE, 'solution.md': 'Just do it.\n' }));
    expect(found.solutions).toEqual([]);
    expect(found.problems[0].message).toMatch(/no shell code block/);
  });

  it('falls back to the "Solution" boxes of index.md, and says what it looked for when there is none', () => {
    const body = '::details-box\n---\n:summary: Solution\n---\n```sh\ntouch /x\n```\n::\n\n::hint-box\n---\n:summary: Hint\n---\n```sh\nls\n```\n::\n';
    const boxed = solutionsOf(contentDir('c', { 'index.md': CHALLENGE + body }));
    expect(boxed.solutions[0].steps[0]).toMatchObject({ script: '# ---- block ----\ntouch /x' });
    const none = solutionsOf(contentDir('c', { 'index.md': CHALLENGE }));
    expect(none.solutions).toEqual([]);
    expect(none.lookedFor).toContain('solution.md');
  });

  it('reads a scenario step by step: exec blocks, a step solution file, each followed by its verify task', () => {
    const scenario = {
      title: 'S',
      details: {
        intro: { text: 'intro.md', foreground: 'fg.sh' },
        steps: [
          { text: 'step1/text.md', verify: 'step1/verify.sh' },
          { text: 'step2/text.md', verify: 'step2/verify.sh' },
          { text: 'step3.md', verify: 'v3.sh', solution: 'solve3.sh' },
        ],
      },
      backend: { imageid: 'ubuntu' },
    };
    const dir = contentDir('s', {
      'index.json': JSON.stringify(scenario),
      'intro.md': 'Hi. `uptime`{{exec}} and `ls`{{copy}}\n',
      'fg.sh': 'cd /root\n',
      'step1/text.md': '```\ntouch /f\n```{{exec}}\n\n```\nnot this\n```{{copy}}\n',
      'step1/verify.sh': 'test -f /f\n',
      'step2/text.md': 'Run `rm /f`{{exec interrupt}}\n',
      'step2/solution.sh': 'rm -f /f\n',
      'step2/verify.sh': '! test -f /f\n',
      'step3.md': 'Last.\n',
      'v3.sh': 'true\n',
      'solve3.sh': 'echo three\n',
    });
    const found = solutionsOf(dir);
    const steps = found.solutions[0].steps;
    expect(steps.map((s) => s.label)).toEqual([
      'intro ({{exec}} blocks)',
      'step 1 ({{exec}} blocks)',
      'step 1: step1_verify',
      'step 2 (step2/solution.sh)',
      'step 2: step2_verify',
      'step 3 (solve3.sh)',
      'step 3: step3_verify',
    ]);
    expect(steps[0]).toMatchObject({ script: '# ---- block ----\ncd /root\n# ---- block ----\nuptime', user: 'root', mode: 'terminal' });
    expect(steps[1]).toMatchObject({ script: '# ---- block ----\ntouch /f' });
    expect(steps[3]).toMatchObject({ script: 'rm -f /f\n' });
    expect(found.solutions[0].source).toBe('{{exec}} blocks, step2/solution.sh, solve3.sh');
  });

  it('refuses a solution script that leads out of the content folder', () => {
    const dir = contentDir('c', { 'index.md': CHALLENGE });
    const outside = path.join(path.dirname(dir), 'secret.sh');
    fs.writeFileSync(outside, 'cat /etc/shadow\n');
    fs.symlinkSync(outside, path.join(dir, '.solution.sh'));
    const found = solutionsOf(dir);
    expect(found.solutions).toEqual([]);
    expect(found.problems[0].message).toMatch(/symbolic link to something outside the content folder/);
  });
});
