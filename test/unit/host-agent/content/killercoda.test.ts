import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateLookup } from '../../../helpers/template-lookup';
import { formatProblem } from '../../../../host-agent/content/errors';
import { loadKillercoda, scenarioRepository, templateForImage } from '../../../../host-agent/content/killercoda';
import { checkContent } from '../../../../host-agent/content/load';
import { contentDir } from './helpers';

const catalog = templateLookup({ linux: ['dev'], docker: ['dev'] });

const scenario = {
  title: 'Files 101',
  description: 'Learn files',
  details: {
    intro: { text: 'intro.md', background: 'setup.sh', foreground: 'fg.sh' },
    steps: [{ title: 'Make a file', text: 'step1/text.md', verify: 'step1/verify.sh', background: 'step1/bg.sh' }, { text: 'step2/text.md' }],
    finish: { text: 'finish.md' },
  },
  backend: { imageid: 'ubuntu' },
};

const files = {
  'index.json': JSON.stringify(scenario),
  'intro.md': '# Welcome\n\nRun `uptime`{{exec}} first.\n',
  'setup.sh': 'mkdir -p /root/work\n',
  'fg.sh': 'cd /root/work\n',
  'step1/text.md': 'Create it:\n\n```\ntouch /root/work/file\n```{{exec}}\n\n![diagram](./diagram.png)\n',
  'step1/diagram.png': 'png',
  'step1/verify.sh': '#!/bin/bash\ntest -f /root/work/file\n',
  'step1/bg.sh': 'echo step1 > /root/work/.bg\n',
  'step2/text.md': 'Now `cat /root/work/file`{{copy}}.\n',
  'finish.md': 'Done!\n',
};

describe('loadKillercoda', () => {
  it('maps pages, verify scripts, backgrounds and foregrounds', () => {
    const dir = contentDir('files-101', files);
    const { content, problems } = loadKillercoda(dir, catalog);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(content).toMatchObject({ name: 'files-101', kind: 'scenario', format: 'killercoda', title: 'Files 101', playground: { template: 'linux' } });
    expect(content!.pages.map((p) => p.title)).toEqual(['Introduction', 'Make a file', 'Step 2', 'Finish']);
    expect(content!.tasks).toEqual({
      intro_background: { name: 'intro_background', kind: 'init', user: 'root', run: 'mkdir -p /root/work\n', needs: [], env: [] },
      step1_background: { name: 'step1_background', kind: 'init', user: 'root', run: 'echo step1 > /root/work/.bg\n', needs: ['intro_background'], env: [] },
      step1_verify: { name: 'step1_verify', kind: 'regular', user: 'root', run: '#!/bin/bash\ntest -f /root/work/file\n', needs: [], env: [] },
    });
    const [intro, step1, step2] = content!.pages;
    expect(intro.blocks[0]).toEqual({ type: 'code', lang: 'bash', value: 'cd /root/work', actions: ['run', 'copy'], autoRun: true });
    expect(intro.blocks[2]).toMatchObject({
      type: 'paragraph',
      children: [{ type: 'text' }, { type: 'inlineCode', value: 'uptime', actions: ['run', 'copy'] }, { type: 'text', value: ' first.' }],
    });
    expect(step1.blocks[1]).toEqual({ type: 'code', value: 'touch /root/work/file', actions: ['run', 'copy'] });
    expect(step1.blocks[2]).toMatchObject({ type: 'paragraph', children: [{ type: 'image', src: 'step1/diagram.png' }] });
    expect(step1.blocks.at(-1)).toMatchObject({ type: 'task', task: 'step1_verify', input: false });
    expect(step2.blocks[0]).toMatchObject({
      children: [{ type: 'text' }, { type: 'inlineCode', value: 'cat /root/work/file', actions: ['copy'] }, { type: 'text' }],
    });
    // checkContent picks the format from the folder
    expect(checkContent(dir, catalog).content?.format).toBe('killercoda');
  });

  it("checks a step's verify only once the step before passed, as the learner reaches it", () => {
    const steps = [1, 2, 3].map((n) => ({ text: `s${n}.md`, verify: `v${n}.sh` }));
    const extra = Object.fromEntries(
      [1, 2, 3].flatMap((n) => [
        [`s${n}.md`, 'text\n'],
        [`v${n}.sh`, 'true\n'],
      ]),
    );
    const dir = contentDir('s', { ...extra, 'index.json': JSON.stringify({ title: 'T', details: { steps }, backend: { imageid: 'ubuntu' } }) });
    const { content } = loadKillercoda(dir, catalog);
    expect(Object.values(content!.tasks).map((t) => [t.name, t.needs])).toEqual([
      ['step1_verify', []],
      ['step2_verify', ['step1_verify']],
      ['step3_verify', ['step2_verify']],
    ]);
  });

  it('maps image ids to templates', () => {
    expect(templateForImage('ubuntu')).toBe('linux');
    expect(templateForImage('ubuntu:2204')).toBe('linux');
    expect(templateForImage('ubuntu20.04')).toBe('linux');
    expect(templateForImage('kubernetes-kubeadm-2nodes')).toBe('k3s');
    expect(templateForImage('something-else')).toBeUndefined();
    // A template named like the image id wins.
    expect(templateForImage('something-else', ['linux', 'something-else'])).toBe('something-else');
  });

  it('names index.json and the field for bad scenarios', () => {
    const bad = (over: object, extra: Record<string, string> = {}) =>
      loadKillercoda(contentDir('s', { ...files, ...extra, 'index.json': JSON.stringify({ ...scenario, ...over }) }), catalog).problems.map(formatProblem);
    expect(bad({ backend: {} })).toEqual(['index.json: backend.imageid: required field is missing (expected string)']);
    expect(bad({ backend: { imageid: 'kubernetes-kubeadm-1node' } })).toEqual([
      'index.json: backend.imageid: image "kubernetes-kubeadm-1node" runs on template "k3s", which this agent does not have (templates: docker, linux)',
    ]);
    expect(bad({ backend: { imageid: 'windows-11' } })).toEqual([
      'index.json: backend.imageid: unknown image "windows-11" (Sandlot maps ubuntu…, debian…, docker…, kubernetes-… to its templates, or name a template: docker, linux)',
    ]);
    expect(bad({ details: { steps: [{ text: 'missing.md', verify: '../../etc/passwd' }] } })).toEqual([
      'index.json: details.steps[0].text: file "missing.md" not found',
      'index.json: details.steps[0].verify: "../../etc/passwd" points outside the scenario folder',
    ]);
    expect(loadKillercoda(contentDir('s', { 'index.json': '{ nope' }), catalog).problems.map(formatProblem)[0]).toMatch(/^index\.json: bad JSON: /);
  });

  it('reports missing images relative to the step file', () => {
    const out = loadKillercoda(contentDir('s', { ...files, 'step1/text.md': '![x](gone.png)\n' }), catalog).problems.map(formatProblem);
    expect(out).toEqual(['step1/text.md: line 1: image "step1/gone.png" not found']);
  });

  it('loads a scenario with only an intro, and one with no details at all', () => {
    const introOnly = contentDir('intro-only', {
      'index.json': JSON.stringify({ title: 'Just look', details: { intro: { text: 'intro.md', background: 'setup.sh' } }, backend: { imageid: 'ubuntu' } }),
      'intro.md': '# Hello\n',
      'setup.sh': 'touch /root/ready\n',
    });
    let r = loadKillercoda(introOnly, catalog);
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.content!.pages.map((p) => p.title)).toEqual(['Introduction']);
    expect(Object.keys(r.content!.tasks)).toEqual(['intro_background']);

    const bare = contentDir('bare', { 'index.json': JSON.stringify({ title: 'A plain Ubuntu', description: 'Try things.', backend: { imageid: 'ubuntu' } }) });
    r = loadKillercoda(bare, catalog);
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.content!.pages).toEqual([{ title: 'A plain Ubuntu', blocks: [{ type: 'paragraph', children: [{ type: 'text', value: 'Try things.' }] }] }]);
    expect(r.content!.playground.template).toBe('linux');
  });

  it("uses images from the repository's shared assets folder, never from beyond the repository", () => {
    const dir = contentDir('use-images', {
      'index.json': JSON.stringify({
        title: 'Images',
        details: { steps: [{ text: 'images.md' }, { text: 'step2/images.md' }] },
        backend: { imageid: 'ubuntu' },
      }),
      'images.md': '![logo](../assets/logo.png)\n\n![own](./pic.png)\n',
      'step2/images.md': '![logo](../../assets/logo.png)\n',
      'pic.png': 'png',
    });
    const repo = path.dirname(dir);
    expect(scenarioRepository(dir)).toBe(repo);
    fs.mkdirSync(path.join(repo, 'assets'));
    fs.writeFileSync(path.join(repo, 'assets', 'logo.png'), 'png');
    let r = loadKillercoda(dir, catalog);
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.content!.assets).toEqual(['../assets/logo.png', 'pic.png']);
    expect(r.content!.pages[1].blocks[0]).toMatchObject({ type: 'paragraph', children: [{ type: 'image', src: '../assets/logo.png' }] });

    fs.writeFileSync(path.join(dir, 'images.md'), '![x](../../outside.png)\n');
    r = loadKillercoda(dir, catalog);
    expect(r.problems.map(formatProblem)).toEqual([
      `images.md: line 1: image "../../outside.png" points outside the scenario folder's repository (${path.basename(repo)})`,
    ]);
  });

  it('finds the repository root of a nested scenario by its .git or structure.json', () => {
    const dir = contentDir('course/linux-files', { 'index.json': '{}' });
    const repo = path.dirname(path.dirname(dir));
    expect(scenarioRepository(dir)).toBe(path.dirname(dir)); // no marker: the folder holding the scenario
    fs.writeFileSync(path.join(repo, 'structure.json'), '{}');
    expect(scenarioRepository(dir)).toBe(repo);
  });

  it('copies details.assets into the machines before the first background script', () => {
    const dir = contentDir('upload', {
      'index.json': JSON.stringify({
        title: 'Upload',
        details: {
          intro: { text: 'intro.md', background: 'bg.sh' },
          assets: {
            host01: [
              { file: 'conf.yaml', target: '/my/location', chmod: '+w' },
              { file: 'run.sh', target: '/my/location', chmod: '+x' },
            ],
          },
        },
        backend: { imageid: 'ubuntu' },
      }),
      'intro.md': 'Run it.\n',
      'bg.sh': '/my/location/run.sh\n',
      'assets/conf.yaml': 'a: 1\n',
      'assets/run.sh': "#!/bin/sh\necho 'ran'\n",
    });
    const r = loadKillercoda(dir, catalog);
    expect(r.problems.map(formatProblem)).toEqual([]);
    const upload = r.content!.tasks.assets_host01;
    expect(upload).toMatchObject({ kind: 'init', machine: 'dev', user: 'root', needs: [] });
    // shellQuote leaves plain words (base64, paths, modes) unquoted.
    expect(upload.run).toContain(`printf %s ${Buffer.from("#!/bin/sh\necho 'ran'\n").toString('base64')} | base64 -d > /my/location/run.sh`);
    expect(upload.run).toContain('chmod +x /my/location/run.sh');
    expect(r.content!.tasks.intro_background.needs).toEqual(['assets_host01']);

    const bad = (assets: object, extra: Record<string, string> = {}) => {
      const d = contentDir('upload', { 'index.json': JSON.stringify({ title: 'U', details: { assets }, backend: { imageid: 'ubuntu' } }), ...extra });
      return loadKillercoda(d, catalog).problems.map(formatProblem);
    };
    expect(bad({ host02: [{ file: 'a', target: '/x' }] }, { 'assets/a': 'x' })).toEqual([
      'index.json: details.assets.host02: the playground has 1 machine(s) (dev), so there is no host02',
    ]);
    expect(bad({ host01: [{ file: 'big.bin', target: '/x' }] }, { 'assets/big.bin': 'x'.repeat(60 * 1024) })).toEqual([
      "index.json: details.assets.host01: the assets for host01 are 60 KiB; Sandlot copies up to 48 KiB per machine (they travel in the task's SSH command line)",
    ]);
    expect(bad({ host01: [{ file: 'gone', target: '/x' }] })).toEqual(['index.json: details.assets.host01[0].file: file "assets/gone" not found']);
  });

  it('refuses verify, background and text files that are links leading outside the scenario', () => {
    const outside = contentDir('outside', { shadow: 'root:$6$secret' });
    const dir = contentDir('s', files);
    fs.rmSync(path.join(dir, 'step1/verify.sh'));
    fs.symlinkSync(path.join(outside, 'shadow'), path.join(dir, 'step1/verify.sh'));
    const r = loadKillercoda(dir, catalog);
    expect(r.problems.map(formatProblem)).toEqual([
      'index.json: details.steps[0].verify: "step1/verify.sh" is a symbolic link to something outside the scenario folder (refused)',
    ]);
    expect(JSON.stringify(r.content)).not.toContain('secret');
  });
});
