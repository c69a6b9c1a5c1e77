import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../../../host-agent/api/protocol';
import type { Block, Page } from '../../../../host-agent/content/model';
import { dueAutoRuns } from '../../../../extension/tutorial/auto-run';

const script = (value: string, interrupt = false): Block => ({
  type: 'code',
  lang: 'bash',
  value,
  actions: ['run', 'copy'],
  autoRun: true,
  ...(interrupt ? { interrupt } : {}),
});
const verify = (task: string): Block => ({ type: 'task', task, input: false, slots: {} });
const text: Block = { type: 'paragraph', children: [{ type: 'text', value: 'Do it.' }] };
const task = (name: string, status: TaskRecord['status']): TaskRecord => ({ name, kind: 'regular', machine: 'dev', user: 'root', status, runs: 1 });

// A Killercoda scenario: intro with a foreground script, two steps with verify + foreground.
const pages: Page[] = [
  { title: 'Intro', blocks: [script('echo intro'), text] },
  { title: 'Step 1', blocks: [script('cd /app'), text, verify('step1_verify')] },
  { title: 'Step 2', blocks: [script('vim notes', true), text, script('ls'), verify('step2_verify')] },
  { title: 'Finish', blocks: [script('echo bye')] },
];

describe('dueAutoRuns', () => {
  it('runs nothing before the content is ready', () => {
    expect(dueAutoRuns(pages, {}, 'initializing', new Set())).toEqual([]);
    expect(dueAutoRuns(pages, {}, undefined, new Set())).toEqual([]);
  });

  it('opens pages up to the first one with an unfinished task', () => {
    const tasks = { step1_verify: task('step1_verify', 'running'), step2_verify: task('step2_verify', 'blocked') };
    expect(dueAutoRuns(pages, tasks, 'ready', new Set()).map((r) => r.command)).toEqual(['echo intro', 'cd /app']);
  });

  it('opens the next page when a step completes, skipping what already ran', () => {
    const tasks = { step1_verify: task('step1_verify', 'completed'), step2_verify: task('step2_verify', 'running') };
    expect(dueAutoRuns(pages, tasks, 'ready', new Set(['0:0', '1:0']))).toEqual([
      { key: '2:0', command: 'vim notes', interrupt: true },
      { key: '2:1', command: 'ls', interrupt: false },
    ]);
  });

  it('reaches the finish page when every step is done', () => {
    const tasks = { step1_verify: task('step1_verify', 'completed'), step2_verify: task('step2_verify', 'completed') };
    expect(dueAutoRuns(pages, tasks, 'completed', new Set(['0:0', '1:0', '2:0', '2:1']))).toEqual([{ key: '3:0', command: 'echo bye', interrupt: false }]);
  });

  it('has nothing to run in content without foreground scripts', () => {
    expect(dueAutoRuns([{ title: '', blocks: [text, verify('a')] }], {}, 'ready', new Set())).toEqual([]);
  });
});
