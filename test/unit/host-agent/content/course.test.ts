// Courses (`kind: course` → module → lesson → unit, numbered folders): the tree in the
// order of the numbers, read-only pages, lessons with a playground runnable on their own.
// Fixtures written here from the format's description.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateLookup } from '../../../helpers/template-lookup';
import { numberedFolders } from '../../../../host-agent/content/course';
import { formatProblem } from '../../../../host-agent/content/errors';
import { checkContent, readDocument, readSummary } from '../../../../host-agent/content/load';
import type { ContentDocument, Course } from '../../../../host-agent/content/model';
import { contentDir, indexMd } from './helpers';

const catalog = templateLookup({ linux: ['dev'], 'linux-multi': ['node-01', 'node-02'] });
const ctx = { library: [] };

function course(doc: ContentDocument | undefined): Course {
  if (doc?.kind !== 'course') throw new Error(`expected a course, got ${doc?.kind}`);
  return doc;
}

const TASK = '::simple-task\n---\n:tasks: tasks\n:name: verify_file\n---\n#active\nWaiting for /root/notes.txt.\n#completed\nThere it is.\n::\n';

const files: Record<string, string> = {
  'index.md': indexMd('kind: course\ntitle: Linux from the shell\ndescription: A short course.', '\nWelcome.\n'),
  '010.basics/0.index.md': indexMd('kind: module\ntitle: The basics\nname: basics'),
  '010.basics/10.files/000.index.md': indexMd(`kind: lesson
title: Files
name: files
playground:
  name: linux
tasks:
  verify_file:
    run: test -f /root/notes.txt`),
  '010.basics/10.files/unit-010.md': indexMd('kind: unit\ntitle: Make a file', `\nMake it.\n\n![where](__static__/tree.png)\n\n${TASK}`),
  '010.basics/10.files/unit-020.md': indexMd('kind: unit\ntitle: Read it back', '\nRun `cat /root/notes.txt`.\n'),
  '010.basics/10.files/__static__/tree.png': 'png',
  '010.basics/2.theory/000.index.md': indexMd('kind: lesson\ntitle: Some theory'),
  '010.basics/2.theory/unit-010.md': indexMd('kind: unit\ntitle: Why files', '\nBecause.\n'),
  '020.more/10.processes/unit-010.md': indexMd('kind: unit\ntitle: Processes', '\nps and friends.\n'),
  'notes/scratch.md': 'not part of the course\n',
};

describe('courses', () => {
  it('orders numbered folders by their numbers and ignores the others', () => {
    const e = (name: string) => ({ name, kind: 'dir' as const });
    expect(numberedFolders([e('020.b'), e('3.c'), e('010.a'), e('__static__'), { name: '1.file', kind: 'file' }]).map((f) => f.name)).toEqual([
      '3.c',
      '010.a',
      '020.b',
    ]);
  });

  it('reads modules, lessons and unit pages in order', () => {
    const dir = contentDir('linux-course', files);
    const { document, problems } = readDocument(dir, catalog, ctx);
    expect(problems.map(formatProblem)).toEqual([]);
    const c = course(document);
    expect(c).toMatchObject({ kind: 'course', name: 'linux-course', title: 'Linux from the shell', description: 'A short course.' });
    expect(c.intro.blocks).toHaveLength(1);
    expect(c.modules.map((m) => [m.name, m.title, m.path])).toEqual([
      ['basics', 'The basics', '010.basics'],
      ['more', 'More', '020.more'],
    ]);
    const [theory, filesLesson] = c.modules[0].lessons; // 2 before 10
    expect(theory).toMatchObject({ name: 'theory', title: 'Some theory', path: '010.basics/2.theory', tasks: [] });
    expect(theory.template).toBeUndefined();
    expect(filesLesson).toMatchObject({
      name: 'files',
      title: 'Files',
      path: '010.basics/10.files',
      template: 'linux',
      tasks: [{ name: 'verify_file', kind: 'regular' }],
    });
    expect(filesLesson.pages.map((p) => p.title)).toEqual(['Make a file', 'Read it back']);
    // Images are relative to the course folder in the course document.
    expect(filesLesson.pages[0].blocks[1]).toMatchObject({ type: 'paragraph', children: [{ type: 'image', src: '010.basics/10.files/__static__/tree.png' }] });
    expect(c.modules[1].lessons.map((l) => [l.name, l.title])).toEqual([['processes', 'Processes']]);
    expect(c.assets).toEqual(['010.basics/10.files/__static__/tree.png']);
    expect(readSummary(dir, catalog).header).toMatchObject({ kind: 'course', title: 'Linux from the shell' });
  });

  it('starts a lesson with a playground on its own, its units as pages', () => {
    const dir = contentDir('linux-course', files);
    const lessonDir = path.join(dir, '010.basics', '10.files');
    const { content, problems } = checkContent(lessonDir, catalog, ctx);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(content).toMatchObject({ kind: 'lesson', name: 'files', title: 'Files', playground: { template: 'linux' }, dir: fs.realpathSync(lessonDir) });
    expect(content!.tasks.verify_file).toMatchObject({ kind: 'regular', run: 'test -f /root/notes.txt' });
    expect(content!.pages.map((p) => p.title)).toEqual(['Make a file', 'Read it back']);
    expect(content!.pages[0].blocks[1]).toMatchObject({ children: [{ type: 'image', src: '__static__/tree.png' }] });
    expect(content!.assets).toEqual(['__static__/tree.png']);
    // A lesson without a playground is read in its course.
    expect(checkContent(path.join(dir, '010.basics', '2.theory'), catalog, ctx).problems.map(formatProblem)).toEqual([
      `${path.join(dir, '010.basics', '2.theory')}: this lesson declares no playground, so there is nothing to start: read it in its course`,
    ]);
    expect(checkContent(dir, catalog, ctx).problems.map(formatProblem)).toEqual([
      `${dir}/index.md: a course has no playground of its own: start one of its lessons by its folder (sandlot content show lists them)`,
    ]);
  });

  it('names file and field for tasks without a playground, unknown tasks, machines and images', () => {
    const dir = contentDir('linux-course', {
      ...files,
      '020.more/10.processes/unit-010.md': indexMd('kind: unit\ntitle: Processes\ntasks:\n  verify_ps: { run: "true" }', '\nps.\n'),
      '010.basics/10.files/unit-020.md': indexMd('kind: unit\ntitle: Read it back', '\n![gone](__static__/gone.png)\n'),
      '010.basics/10.files/000.index.md': indexMd(`kind: lesson
title: Files
playground: { name: linux }
tasks:
  verify_file: { run: "true", machine: node-09 }`),
    });
    expect(readDocument(dir, catalog, ctx).problems.map(formatProblem)).toEqual([
      `${dir}/010.basics/10.files/unit-020.md: line 6: image "010.basics/10.files/__static__/gone.png" not found`,
      `${dir}/010.basics/10.files/000.index.md: tasks.verify_file.machine: unknown machine "node-09" (template "linux" has dev)`,
      `${dir}/020.more/10.processes: playground: the lesson has tasks but no playground to run them on (expected playground.name)`,
    ]);
  });
});
