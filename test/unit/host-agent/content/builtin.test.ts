// The content shipped in content/ must load cleanly against the real template catalog.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../../host-agent/content/errors';
import { checkContent, listBuiltinContent, resolveContentDir } from '../../../../host-agent/content/load';
import type { Block, Content } from '../../../../host-agent/content/model';
import { TemplateCatalog, templateDirs } from '../../../../host-agent/playgrounds/catalog';

// Against the real catalog: the docker and zig templates come with the Docker driver.
function catalog(): TemplateCatalog {
  return new TemplateCatalog(templateDirs());
}

function load(name: string): Content {
  const { content, problems } = checkContent(resolveContentDir(name), catalog());
  expect(problems.map(formatProblem)).toEqual([]);
  return content!;
}

function taskRefs(blocks: Block[]): string[] {
  const out: string[] = [];
  const walk = (bs: Block[]) =>
    bs.forEach((b) => {
      if (b.type === 'task') out.push(b.task);
      if ('children' in b && Array.isArray(b.children) && b.type !== 'heading' && b.type !== 'paragraph') walk(b.children);
    });
  walk(blocks);
  return out;
}

describe('built-in content', () => {
  it('lists the three built-ins', () => {
    expect(listBuiltinContent().map((c) => c.name)).toEqual(['docker-first-container', 'linux-basics', 'zig-build-and-run']);
  });

  it('linux-basics: a challenge on the linux template, run as root on dev', () => {
    const c = load('linux-basics');
    expect(c).toMatchObject({ kind: 'challenge', format: 'iximiuz', playground: { template: 'linux' } });
    expect(Object.values(c.tasks).every((t) => t.machine === 'dev' && t.user === 'root')).toBe(true);
    expect(
      Object.values(c.tasks)
        .filter((t) => t.kind === 'init')
        .map((t) => t.name),
    ).toEqual(['init_workspace', 'init_warn_count']);
    expect(c.tasks.verify_warn_answer.input).toEqual({});
    expect(c.tasks.verify_copy.failcheck).toBeTruthy();
    expect(taskRefs(c.pages[0].blocks)).toEqual(['verify_backup_dir', 'verify_copy', 'verify_error_count', 'verify_warn_answer']);
    expect(c.pages[0].blocks.filter((b) => b.type === 'image').map((b) => (b.type === 'image' ? b.src : ''))).toEqual(['__static__/log-flow.svg']);
  });

  it('docker-first-container: a challenge on the docker template', () => {
    const c = load('docker-first-container');
    expect(c).toMatchObject({ kind: 'challenge', playground: { template: 'docker' } });
    expect(taskRefs(c.pages[0].blocks)).toEqual(['verify_image', 'verify_container', 'verify_port', 'verify_count_answer']);
  });

  it('zig-build-and-run: a tutorial on the zig template', () => {
    const c = load('zig-build-and-run');
    expect(c).toMatchObject({ kind: 'tutorial', playground: { template: 'zig' } });
    expect(c.tasks.verify_version_answer.env).toEqual(['ZIG_VERSION=x(.needs.init_toolchain.stdout)']);
    expect(taskRefs(c.pages[0].blocks)).toEqual(['verify_source', 'verify_binary', 'verify_project', 'verify_version_answer']);
  });

  it('every task shown in the text exists, and every regular task is shown', () => {
    for (const { name } of listBuiltinContent()) {
      const c = load(name);
      const shown = new Set(taskRefs(c.pages.flatMap((p) => p.blocks)));
      const regular = Object.values(c.tasks)
        .filter((t) => t.kind === 'regular')
        .map((t) => t.name);
      expect([...shown].sort(), name).toEqual(regular.sort());
    }
  });
});
