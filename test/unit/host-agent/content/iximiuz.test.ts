import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateLookup } from '../../../helpers/template-lookup';
import { formatProblem } from '../../../../host-agent/content/errors';
import { loadIximiuz } from '../../../../host-agent/content/iximiuz';
import { readDocument } from '../../../../host-agent/content/load';
import { loadManifestText } from '../../../../host-agent/manifests/load';
import { contentDir, indexMd } from './helpers';

const catalog = templateLookup({ linux: ['dev'], 'linux-multi': ['node-01', 'node-02', 'node-03'] });

function problems(files: Record<string, string>): string[] {
  return loadIximiuz(contentDir('c', files), catalog).problems.map(formatProblem);
}

const TASK_BODY = '\n::simple-task\n---\n:tasks: tasks\n:name: verify_a\n---\n#active\nwait\n#completed\nok\n::\n';

describe('loadIximiuz', () => {
  it('reads a challenge into the content model', () => {
    const dir = contentDir('my-challenge', {
      'index.md': indexMd(
        `
kind: challenge
title: My challenge
description: |
  Two lines
  of text.
categories: [linux]
playground:
  name: linux-multi
  machines:
    - name: node-02
      resources: { cpuCount: 2, ramSize: 2Gi }
tasks:
  init_a:
    init: true
    machine: node-02
    user: laborant
    run: echo hi
    timeout_seconds: 30
  helper_b:
    helper: true
    run: sleep 1
  verify_a:
    needs: [init_a]
    env: ["GREETING=x(.needs.init_a.stdout)"]
    run: test -f /tmp/a
    hintcheck: echo nope
    failcheck: "true"
  answer:
    run: '[ "x(.input)" = 42 ]'
    destination: /tmp/answer
`,
        TASK_BODY + '\n::user-input-task\n---\n:name: answer\n---\nWhat?\n::\n',
      ),
    });
    const { content, problems } = loadIximiuz(dir, catalog);
    expect(problems).toEqual([]);
    expect(content).toMatchObject({
      name: 'my-challenge',
      kind: 'challenge',
      format: 'iximiuz',
      title: 'My challenge',
      description: 'Two lines\nof text.',
      playground: { template: 'linux-multi', section: { machines: [{ name: 'node-02', resources: { cpuCount: 2, ramSize: '2Gi' } }] } },
    });
    expect(content!.tasks).toEqual({
      init_a: { name: 'init_a', kind: 'init', machine: 'node-02', user: 'laborant', run: 'echo hi', needs: [], env: [], timeoutSeconds: 30 },
      helper_b: { name: 'helper_b', kind: 'helper', user: 'root', run: 'sleep 1', needs: [], env: [] },
      verify_a: {
        name: 'verify_a',
        kind: 'regular',
        user: 'root',
        run: 'test -f /tmp/a',
        needs: ['init_a'],
        env: ['GREETING=x(.needs.init_a.stdout)'],
        hintcheck: 'echo nope',
        failcheck: 'true',
      },
      answer: { name: 'answer', kind: 'regular', user: 'root', run: '[ "x(.input)" = 42 ]', needs: [], env: [], input: { destination: '/tmp/answer' } },
    });
    expect(content!.pages).toHaveLength(1);
    expect(content!.pages[0].blocks.map((b) => b.type)).toEqual(['task', 'task']);
  });

  it('marks a task shown by ::user-input-task as an input task', () => {
    const dir = contentDir('c', {
      'index.md': indexMd('kind: tutorial\ntitle: T\nplayground: { name: linux }\ntasks:\n  q: { run: "true" }', '::user-input-task{name="q"}\n::\n'),
    });
    expect(loadIximiuz(dir, catalog).content!.tasks.q.input).toEqual({});
  });

  it('names the file and field of bad front matter', () => {
    expect(problems({ 'index.md': 'Just text, no front matter.\n' })).toEqual([
      'index.md: expected YAML front matter between "---" lines at the top (kind, title, playground, tasks)',
    ]);
    expect(problems({ 'index.md': indexMd('kind: lesson\ntitle: T\nplayground: { name: linux }') })).toEqual([
      'index.md: kind: expected "tutorial" or "challenge", got "lesson"',
    ]);
    expect(problems({ 'index.md': indexMd('kind: tutorial\nplayground: { name: linux }') })).toEqual([
      'index.md: title: required field is missing (expected string)',
    ]);
    expect(problems({ 'index.md': indexMd('kind: tutorial\ntitle: T\nplayground: { name: linux }\ntasks:\n  a:\n    run: x\n    hintchek: y') })).toEqual([
      'index.md: tasks.a: unknown field "hintchek"',
    ]);
    expect(problems({ 'index.md': indexMd('kind: tutorial\ntitle: T\nplayground: { name: linux }\ntasks:\n  a: { run: x, env: ["no equals"] }') })).toEqual([
      'index.md: tasks.a.env[0]: expected "NAME=value", got "no equals"',
    ]);
    expect(
      problems({ 'index.md': indexMd('kind: tutorial\ntitle: T\nplayground: { name: linux }\ntasks:\n  a: { run: x, init: true, helper: true }') }),
    ).toEqual(['index.md: tasks.a: a task is either init or helper, not both']);
  });

  it('reports YAML syntax errors with the line in index.md', () => {
    const out = problems({ 'index.md': '---\nkind: tutorial\ntitle: [unclosed\n---\n' });
    expect(out[0]).toMatch(/^index\.md: line 3: bad front matter YAML: /);
  });

  it('reports an unknown task referenced by ::simple-task, with its line', () => {
    const out = problems({ 'index.md': indexMd('kind: challenge\ntitle: T\nplayground: { name: linux }\ntasks:\n  verify_b: { run: "true" }', TASK_BODY) });
    expect(out).toEqual(['index.md: line 9: ::simple-task refers to unknown task "verify_a" (expected one of verify_b)']);
  });

  it('reports needs cycles, unknown needs and helper needs', () => {
    const fm = `
kind: challenge
title: T
playground: { name: linux }
tasks:
  a: { run: "true", needs: [c] }
  b: { run: "true", needs: [a] }
  c: { run: "true", needs: [b] }
  d: { run: "true", needs: [nope, h] }
  h: { run: "true", helper: true }
  i: { run: "true", init: true, needs: [d] }
  s: { run: "true", needs: [s] }
`;
    expect(problems({ 'index.md': indexMd(fm) })).toEqual([
      'index.md: tasks.d.needs[0]: unknown task "nope" (expected one of a, b, c, d, h, i, s)',
      'index.md: tasks.d.needs[1]: "h" is a helper task, which never completes',
      'index.md: tasks.i.needs[0]: init task needs "d", which is not an init task (it only runs after every init task passed)',
      'index.md: tasks.s.needs[0]: a task cannot need itself',
      'index.md: tasks.a.needs: needs form a cycle: a → c → b → a',
    ]);
  });

  it('reports unknown templates and machines', () => {
    expect(problems({ 'index.md': indexMd('kind: tutorial\ntitle: T\nplayground: { name: kubernetes }') })).toEqual([
      'index.md: playground.name: unknown template "kubernetes" (expected one of linux, linux-multi)',
    ]);
    const fm = 'kind: tutorial\ntitle: T\nplayground:\n  name: linux\n  machines: [{ name: node-01 }]\ntasks:\n  a: { run: "true", machine: cplane }';
    expect(problems({ 'index.md': indexMd(fm) })).toEqual([
      'index.md: playground.machines[0].name: unknown machine "node-01" (template "linux" has dev)',
      'index.md: tasks.a.machine: unknown machine "cplane" (template "linux" has dev)',
    ]);
  });

  it('reports x(.needs…) references to tasks outside needs', () => {
    const fm =
      'kind: tutorial\ntitle: T\nplayground: { name: linux }\ntasks:\n  i: { run: "true", init: true }\n  a: { run: "true", env: ["V=x(.needs.i.stdout)"] }';
    expect(problems({ 'index.md': indexMd(fm) })).toEqual(['index.md: tasks.a.env[0]: refers to x(.needs.i…) but "i" is not in needs']);
  });

  it('checks that local images exist and stay inside the folder', () => {
    const fm = 'kind: tutorial\ntitle: T\nplayground: { name: linux }';
    const body = '![ok](__static__/ok.png)\n\n![gone](__static__/gone.png)\n\n![out](../secret.png)\n\n![web](https://example.com/x.png)\n';
    expect(problems({ 'index.md': indexMd(fm, body), '__static__/ok.png': 'x' })).toEqual([
      'index.md: line 8: image "__static__/gone.png" not found',
      'index.md: line 10: image "../secret.png" points outside the content folder',
    ]);
  });

  it('refuses a regular-task component that shows an init task', () => {
    const fm = 'kind: tutorial\ntitle: T\nplayground: { name: linux }\ntasks:\n  verify_a: { run: "true", init: true }';
    expect(problems({ 'index.md': indexMd(fm, TASK_BODY) })).toEqual([
      'index.md: line 9: ::simple-task shows "verify_a", an init task (expected a regular task)',
    ]);
  });

  it('refuses __static__ files and images that are links leading outside the folder', () => {
    const fm = 'kind: tutorial\ntitle: T\nplayground: { name: linux }';
    const outside = contentDir('outside', { id_rsa: 'PRIVATE KEY', 'keys/a.png': 'x' });
    // An image referenced in the markdown.
    let dir = contentDir('c', { 'index.md': indexMd(fm, '![x](__static__/pic.png)\n'), '__static__/ok.png': 'x' });
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(dir, '__static__', 'pic.png'));
    expect(loadIximiuz(dir, catalog).problems.map(formatProblem)).toEqual([
      'index.md: line 6: image "__static__/pic.png" is a symbolic link to something outside the content folder (refused)',
      '__static__/pic.png: "__static__/pic.png" is a symbolic link to something outside the content folder (refused)',
    ]);
    // A file in __static__ nobody references: a viewer would still show it.
    dir = contentDir('c', { 'index.md': indexMd(fm), '__static__/ok.png': 'x' });
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(dir, '__static__', 'unused.png'));
    expect(loadIximiuz(dir, catalog).problems.map(formatProblem)).toEqual([
      '__static__/unused.png: "__static__/unused.png" is a symbolic link to something outside the content folder (refused)',
    ]);
    // __static__ itself a link to a folder outside.
    dir = contentDir('c', { 'index.md': indexMd(fm, '![x](__static__/a.png)\n') });
    fs.symlinkSync(path.join(outside, 'keys'), path.join(dir, '__static__'));
    const out = loadIximiuz(dir, catalog).problems.map(formatProblem);
    expect(out[0]).toBe('index.md: line 6: image "__static__/a.png" passes through a symbolic link that leads outside the content folder (refused)');
    expect(out).toHaveLength(2);
    // index.md itself a link to a file outside: nothing of it is read.
    dir = contentDir('c', {});
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(dir, 'index.md'));
    expect(loadIximiuz(dir, catalog).problems.map(formatProblem)).toEqual([
      'index.md: "index.md" is a symbolic link to something outside the content folder (refused)',
    ]);
  });

  it('lists the checked images and __static__ files as the content assets', () => {
    const fm = 'kind: tutorial\ntitle: T\nplayground: { name: linux }';
    const dir = contentDir('c', { 'index.md': indexMd(fm, '![x](./__static__/a.png)\n'), '__static__/a.png': 'x', '__static__/sub/b.svg': '<svg/>' });
    expect(loadIximiuz(dir, catalog).content?.assets).toEqual(['__static__/a.png', '__static__/sub/b.svg']);
  });

  it('refuses scripts too long to travel in the SSH command line', () => {
    const fm = `kind: tutorial\ntitle: T\nplayground: { name: linux }\ntasks:\n  init_big: { init: true, run: "${'x'.repeat(70 * 1024)}" }`;
    expect(problems({ 'index.md': indexMd(fm) })).toEqual(['index.md: tasks.init_big.run: the script is 70 KiB, more than the 64 KiB a task script may have']);
  });

  it('reads the playground fields of the iximiuz manifest reference with the manifest schema', () => {
    const fm = `kind: tutorial
title: T
playground:
  name: linux-multi
  registryAuth: user:secret
  tabs:
    - kind: ide
    - machine: node-01
    - kind: http-port
      name: App
      number: 8080
      machine: node-02
  networks:
    - name: lan
      subnet: 172.30.0.0/24
  machines:
    - name: node-01
      drives:
        - source: ubuntu-24-04
          mount: /
      network:
        interfaces:
          - network: lan
            address: 172.30.0.10
    - name: node-02
      noSSH: true
`;
    const dir = contentDir('c', { 'index.md': indexMd(fm) });
    const loaded = loadIximiuz(dir, catalog);
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    expect(loaded.content!.playground).toEqual({
      template: 'linux-multi',
      section: {
        machines: [
          { name: 'node-01', drives: [{ source: 'ubuntu-24-04', mount: '/' }], network: { interfaces: [{ network: 'lan', address: '172.30.0.10' }] } },
          { name: 'node-02', noSSH: true },
        ],
        tabs: [{ kind: 'ide' }, { machine: 'node-01' }, { kind: 'http-port', name: 'App', number: 8080, machine: 'node-02' }],
        networks: [{ name: 'lan', subnet: '172.30.0.0/24' }],
        registryAuth: 'user:secret',
      },
    });
    // Fields nobody documents are still typos.
    expect(problems({ 'index.md': indexMd('kind: tutorial\ntitle: T\nplayground: { name: linux, tabz: [] }') })).toEqual([
      'index.md: playground: unknown field "tabz"',
    ]);
  });
});

describe('front matter playground: as a manifest on its template', () => {
  const k8s = loadManifestText(
    `kind: playground
name: cluster
playground:
  machines:
    - name: dev-machine
    - name: cplane-01
    - name: node-01
    - name: node-02
`,
    'cluster.yaml',
  );
  const ctx = { library: [], templates: { cluster: k8s } };
  const wide = templateLookup({ cluster: ['dev-machine', 'cplane-01', 'node-01', 'node-02'] });
  const tutorial = (playground: string) =>
    contentDir('k8s-tutorial', {
      'index.md': indexMd(`kind: tutorial\ntitle: Pods up close\ncover: __static__/cover.png\ntagz: [pods]\nplayground:\n${playground}`),
    });

  it('takes what a tutorial written for iximiuz Labs puts there', () => {
    const dir = tutorial(`  name: cluster
  machines:
    - name: dev-machine
      resources: { cpuCount: 1, ramSize: "1Gi" }
      startupFiles:
        - path: /home/laborant/.bashrc
          content: "export EDITOR=vim\\n"
          append: true
    - name: cplane-01
      users:
        - name: root
          default: true
          welcome: Control plane here.
    - name: node-01
      noSSH: true
  tabs:
    - kind: ide
    - kind: kexp
    - machine: dev-machine
    - machine: cplane-01
    - kind: http-port
      name: Web
      number: 30080
      machine: node-01
    - kind: web-page
      name: Docs
      url: https://example.com
  registryAuth: someone:secret`);
    const { document, problems } = readDocument(dir, wide, ctx);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(document).toMatchObject({ kind: 'tutorial', playground: { template: 'cluster', section: { registryAuth: 'someone:secret' } } });
  });

  it('names the field the manifest rules refuse', () => {
    const dir = tutorial(`  name: cluster
  machines:
    - name: dev-machine
  tabs:
    - machine: node-02`);
    expect(readDocument(dir, wide, ctx).problems.map(formatProblem)).toEqual([expect.stringMatching(/index\.md: playground\.tabs\[0\]\.machine: .*node-02/)]);
    const bad = tutorial('  name: cluster\n  tabs:\n    - kind: window');
    expect(readDocument(bad, wide, ctx).problems.map(formatProblem)).toEqual([
      expect.stringMatching(/index\.md: playground\.tabs\[0\]\.kind: expected one of terminal, ide, http-port, web-page, kexp, got "window"/),
    ]);
  });
});
