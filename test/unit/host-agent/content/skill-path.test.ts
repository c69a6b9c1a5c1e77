// Skill paths (`kind: skill-path`): units in the order of their numbers, each reference
// looked up in the local content catalog, missing ones listed with unit, map and where
// they were looked for. Fixtures written here from the format's description.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateLookup } from '../../../helpers/template-lookup';
import { formatProblem } from '../../../../host-agent/content/errors';
import { builtinContentDir } from '../../../../host-agent/content/library';
import { checkContent, readDocument } from '../../../../host-agent/content/load';
import type { ContentDocument, SkillPath } from '../../../../host-agent/content/model';
import { unitFiles } from '../../../../host-agent/content/skill-path';
import { contentDir, indexMd } from './helpers';

const catalog = templateLookup({ linux: ['dev'], docker: ['dev'], zig: ['dev'] });
const library = [builtinContentDir()];

function skillPath(doc: ContentDocument | undefined): SkillPath {
  if (doc?.kind !== 'skill-path') throw new Error(`expected a skill path, got ${doc?.kind}`);
  return doc;
}

const unit = (title: string, refs: string, body = 'Some words about it.\n') => indexMd(`kind: unit\ntitle: ${title}\n${refs}`, `\n${body}`);

const files = {
  'index.md': indexMd(
    'kind: skill-path\ntitle: Containers, step by step\ndescription: |\n  From a first container to a build.\ncategories: [containers]',
    '\nWhy this path.\n',
  ),
  'unit-10.md': unit(
    'Run a first container',
    'name: first\nchallenges:\n  docker_first_container: {}',
    '::card\n---\n:challenge: challenges.docker_first_container\n---\n::\n',
  ),
  'unit-20.md': unit('Build with Zig', 'tutorials:\n  zig-build-and-run: {}'),
  'unit-100.md': unit('Something not here', 'challenges:\n  not-here-at-all: {}'),
  'unit-30.md': unit('The road ahead', 'roadmaps:\n  docker: {}\nplaygrounds:\n  docker: {}'),
  'notes.md': '# not a unit\n',
};

describe('skill paths', () => {
  it('orders unit files by their numbers', () => {
    expect(unitFiles(['unit-100.md', 'unit-20.md', 'index.md', 'unit-3.md', 'unit-x.md'])).toEqual(['unit-3.md', 'unit-20.md', 'unit-100.md']);
  });

  it('reads the intro and units in order, resolves references, lists the missing one', () => {
    const dir = contentDir('containers-path', files);
    const { document, problems } = readDocument(dir, catalog, { library });
    const sp = skillPath(document);
    expect(sp).toMatchObject({
      kind: 'skill-path',
      name: 'containers-path',
      title: 'Containers, step by step',
      description: 'From a first container to a build.',
    });
    expect(sp.intro.blocks).toHaveLength(1);
    expect(sp.units.map((u) => [u.file, u.name, u.title])).toEqual([
      ['unit-10.md', 'first', 'Run a first container'],
      ['unit-20.md', 'unit-20', 'Build with Zig'],
      ['unit-30.md', 'unit-30', 'The road ahead'],
      ['unit-100.md', 'unit-100', 'Something not here'],
    ]);
    expect(sp.units[0].refs).toEqual([
      {
        kind: 'challenge',
        name: 'docker_first_container',
        found: { source: path.join(builtinContentDir(), 'docker-first-container'), title: 'Docker: Build and Run Your First Container', kind: 'challenge' },
      },
    ]);
    expect(sp.units[1].refs[0].found?.kind).toBe('tutorial');
    // A roadmap has no local counterpart and is not an error; a playground is a template.
    expect(sp.units[2].refs).toEqual([
      { kind: 'roadmap', name: 'docker' },
      { kind: 'playground', name: 'docker', found: { source: 'template:docker', title: 'docker', kind: 'playground' } },
    ]);
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${dir}/unit-100\\.md: challenges\\.not-here-at-all: challenge "not-here-at-all" is not in the local content catalog \\(looked in ${path.dirname(dir)}, ${builtinContentDir()}\\)$`,
        ),
      ),
    ]);
  });

  it("finds units' content in labctl's <kind>s/<name> layout next to the skill path", () => {
    const sp = contentDir('repo/skill-paths/mine', {
      'index.md': indexMd('kind: skill-path\ntitle: Mine'),
      'unit-10.md': unit('Mine first', 'challenges:\n  my_own_challenge: {}'),
    });
    const repo = path.dirname(path.dirname(sp));
    fs.mkdirSync(path.join(repo, 'challenges', 'my-own-challenge'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'challenges', 'my-own-challenge', 'index.md'), indexMd('kind: challenge\ntitle: My own\nplayground: { name: linux }'));
    const { document, problems } = readDocument(sp, catalog, { library: [] });
    expect(problems).toEqual([]);
    expect(skillPath(document).units[0].refs[0].found).toEqual({
      source: path.join(repo, 'challenges', 'my-own-challenge'),
      title: 'My own',
      kind: 'challenge',
    });
  });

  it('is read, not started: checkContent says what to do instead', () => {
    const dir = contentDir('containers-path', { ...files, 'unit-100.md': unit('Fine', '') });
    expect(checkContent(dir, catalog, { library }).problems.map(formatProblem)).toEqual([
      `${dir}/index.md: a skill path has no playground of its own: start one of its units (sandlot content show lists them)`,
    ]);
  });

  it('names the unit and field of bad unit front matter, and refuses a unit that links outside', () => {
    const outside = contentDir('outside', { 'x.md': unit('Outside', '') });
    const dir = contentDir('p', { 'index.md': indexMd('kind: skill-path\ntitle: P'), 'unit-10.md': indexMd('kind: lesson\ntitle: Wrong kind') });
    fs.symlinkSync(path.join(outside, 'x.md'), path.join(dir, 'unit-20.md'));
    expect(readDocument(dir, catalog, { library }).problems.map(formatProblem)).toEqual([
      `${dir}/unit-20.md: "unit-20.md" is a symbolic link to something outside the content folder (refused)`,
    ]);
    fs.rmSync(path.join(dir, 'unit-20.md'));
    expect(readDocument(dir, catalog, { library }).problems.map(formatProblem)).toEqual([
      `${dir}/unit-10.md: kind: expected "unit", got "lesson"`,
      `${dir}: a skill path needs unit files next to its index.md (unit-10.md, unit-20.md, …)`,
    ]);
  });
});
