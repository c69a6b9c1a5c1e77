import { describe, expect, it } from 'vitest';
import { templateLookup } from '../../../helpers/template-lookup';
import { formatProblem } from '../../../../host-agent/content/errors';
import { loadKillercoda, templateForImage } from '../../../../host-agent/content/killercoda';
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

  it('maps image ids to templates', () => {
    expect(templateForImage('ubuntu')).toBe('linux');
    expect(templateForImage('ubuntu:2204')).toBe('linux');
    expect(templateForImage('kubernetes-kubeadm-2nodes')).toBe('k3s');
    expect(templateForImage('something-else')).toBe('something-else');
  });

  it('names index.json and the field for bad scenarios', () => {
    const bad = (over: object, extra: Record<string, string> = {}) =>
      loadKillercoda(contentDir('s', { ...files, ...extra, 'index.json': JSON.stringify({ ...scenario, ...over }) }), catalog).problems.map(formatProblem);
    expect(bad({ backend: {} })).toEqual(['index.json: backend.imageid: required field is missing (expected string)']);
    expect(bad({ backend: { imageid: 'kubernetes-kubeadm-1node' } })).toEqual([
      'index.json: backend.imageid: unknown template "k3s" (expected one of docker, linux)',
    ]);
    expect(bad({ details: { steps: [{ text: 'missing.md', verify: '../../etc/passwd' }] } })).toEqual([
      'index.json: details.steps[0].text: file "missing.md" not found',
      'index.json: details.steps[0].verify: "../../etc/passwd" points outside the scenario folder',
    ]);
    expect(bad({ details: { steps: [] } })).toEqual(['index.json: details.steps: expected at least one step']);
    expect(loadKillercoda(contentDir('s', { 'index.json': '{ nope' }), catalog).problems.map(formatProblem)[0]).toMatch(/^index\.json: bad JSON: /);
  });

  it('reports missing images relative to the step file', () => {
    const out = loadKillercoda(contentDir('s', { ...files, 'step1/text.md': '![x](gone.png)\n' }), catalog).problems.map(formatProblem);
    expect(out).toEqual(['step1/text.md: line 1: image "step1/gone.png" not found (expected a file at step1/gone.png)']);
  });
});
