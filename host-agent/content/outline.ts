// A content document as lines of text: what `sandlot content show` prints. For a skill path
// its units in order, each with the content it points at (and how to start that) or why
// it is missing; for a course its modules and lessons, with the lessons that can be
// started; for anything else its pages and tasks.
import * as path from 'node:path';
import type { ContentDocument, ContentRef } from './model';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** How a user refers to a folder: relative to the working directory when that is shorter. */
function shown(dir: string, cwd: string): string {
  const rel = path.relative(cwd, dir);
  return rel && !rel.startsWith('..') && rel.length < dir.length ? rel : dir;
}

function refLine(ref: ContentRef, cwd: string): string {
  if (!ref.found)
    return ref.kind === 'roadmap' ? `${ref.kind} ${ref.name} (not a local content kind)` : `${ref.kind} ${ref.name}: missing (not in the local catalog)`;
  if (ref.found.source.startsWith('template:')) return `playground ${ref.name}: sandlot start ${ref.found.source.slice('template:'.length)}`;
  return `${ref.kind} ${ref.name}: "${ref.found.title}" — sandlot content start ${shown(ref.found.source, cwd)}`;
}

export function outline(doc: ContentDocument, cwd = process.cwd()): string[] {
  switch (doc.kind) {
    case 'skill-path': {
      const lines = [`${doc.title} (skill path, ${plural(doc.units.length, 'unit')})`];
      doc.units.forEach((u, i) => {
        lines.push(`  ${i + 1}. ${u.title} [${u.file}]`);
        for (const r of u.refs) lines.push(`       ${refLine(r, cwd)}`);
        if (u.refs.length === 0) lines.push('       (text only)');
      });
      return lines;
    }
    case 'course': {
      const lessons = doc.modules.reduce((n, m) => n + m.lessons.length, 0);
      const lines = [`${doc.title} (course, ${plural(doc.modules.length, 'module')}, ${plural(lessons, 'lesson')})`];
      for (const m of doc.modules) {
        if (m.path !== '.') lines.push(`  ${m.title} [${m.path}]`);
        for (const l of m.lessons) {
          const what = [plural(l.pages.length, 'page'), ...(l.tasks.length ? [plural(l.tasks.length, 'task')] : [])].join(', ');
          const run = l.template ? ` — sandlot content start ${shown(path.join(doc.dir, l.path), cwd)}` : ' — read only';
          lines.push(`    ${l.title} (${what})${run}`);
          for (const r of l.refs) lines.push(`       ${refLine(r, cwd)}`);
        }
      }
      return lines;
    }
    default: {
      const tasks = Object.values(doc.tasks);
      const lines = [`${doc.title} (${doc.format} ${doc.kind} on template ${doc.playground.template}; ${plural(tasks.length, 'task')})`];
      doc.pages.forEach((p, i) => lines.push(`  ${i + 1}. ${p.title}`));
      return lines;
    }
  }
}
