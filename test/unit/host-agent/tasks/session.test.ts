// ContentSessions with an in-memory store (JSON round trips, as a state file would do)
// and real scripts through LocalRunner.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlaygroundEvent, PlaygroundRecord } from '../../../../host-agent/api/protocol';
import type { ContentMeta, TaskSpec } from '../../../../host-agent/content/model';
import { LocalRunner } from '../../../../host-agent/tasks/local-runner';
import { ContentSessions, type ContentHost } from '../../../../host-agent/tasks/session';
import { parseOwnJson } from '../../../../host-agent/util/json';

function memoryHost(dir: string) {
  let stored = JSON.stringify({
    id: 'pg-1',
    template: 'linux',
    title: 'L',
    driver: 'sandbox',
    state: 'running',
    createdAt: '',
    deadline: '',
    machines: [],
    userPublicKey: '',
  } satisfies PlaygroundRecord);
  const events: PlaygroundEvent[] = [];
  const host: ContentHost = {
    record: () => parseOwnJson<PlaygroundRecord>(stored),
    updateRecord: async (_id, change) => {
      const r = parseOwnJson<PlaygroundRecord>(stored);
      change(r);
      stored = JSON.stringify(r);
    },
    emit: (_id, e) => events.push(e),
    runner: () => new LocalRunner({ ...process.env, D: dir }),
  };
  return { host, events, stored: () => parseOwnJson<PlaygroundRecord>(stored) };
}

const t = (name: string, run: string, extra: Partial<TaskSpec> = {}): TaskSpec => ({ name, kind: 'regular', user: 'root', run, needs: [], env: [], ...extra });

const content: ContentMeta = {
  name: 'demo',
  kind: 'challenge',
  format: 'iximiuz',
  title: 'Demo',
  description: '',
  dir: '/x',
  playground: { template: 'linux' },
  tasks: { init_x: t('init_x', 'echo init >> $D/init-runs', { kind: 'init' }), verify: t('verify', '[ -f $D/done ]') },
  pageCount: 0,
};
const json = JSON.stringify({ ...content, pages: [] });

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ContentSessions', () => {
  it('keeps task states in the record, streams events, and resumes after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-session-test-'));
    const { host, events, stored } = memoryHost(dir);
    const sessions = new ContentSessions(host, { intervalMs: 100 });
    await sessions.start('pg-1', content, { source: '/x', defaultMachine: 'dev', json });
    expect(stored().content).toEqual({ name: 'demo', kind: 'challenge', title: 'Demo', source: '/x', state: 'ready' });
    await until(() => (stored().tasks?.verify.runs ?? 0) >= 1 && stored().tasks?.verify.status === 'running');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['snapshot', 'task', 'content']));
    expect(events.find((e) => e.type === 'task' && e.task.name === 'init_x' && e.task.status === 'completed')).toBeTruthy();

    // "agent restart": a new ContentSessions on the same stored record
    await sessions.dispose();
    const again = new ContentSessions(host, { intervalMs: 100 });
    await again.start('pg-1', content, { source: '/x', defaultMachine: 'dev', resume: true, json });
    fs.writeFileSync(path.join(dir, 'done'), '');
    await until(() => stored().content?.state === 'completed');
    expect(stored().tasks?.verify).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(fs.readFileSync(path.join(dir, 'init-runs'), 'utf8')).toBe('init\n'); // init not repeated
    await again.stop('pg-1', { markStopped: true });
    expect(stored().content?.state).toBe('completed'); // a finished challenge stays finished
  });

  it('records a failed init in the content record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-session-test-'));
    const { host, stored } = memoryHost(dir);
    const sessions = new ContentSessions(host, { intervalMs: 100 });
    const bad: ContentMeta = { ...content, tasks: { init_x: t('init_x', 'echo boom >&2; exit 2', { kind: 'init' }) } };
    await expect(sessions.start('pg-1', bad, { source: '/x', defaultMachine: 'dev', json })).rejects.toThrow(
      'init task "init_x" on dev exited with code 2:\nboom',
    );
    await sessions.dispose();
    expect(stored().content).toMatchObject({ state: 'failed', error: 'init task "init_x" on dev exited with code 2:\nboom' });
    expect(stored().tasks?.init_x).toMatchObject({ status: 'failed', exitCode: 2 });
  });

  it('reloads a new version in place: unchanged completed tasks stay, changed ones start over, removed ones go', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-session-test-'));
    const { host, events, stored } = memoryHost(dir);
    const sessions = new ContentSessions(host, { intervalMs: 100 });
    const v1: ContentMeta = {
      ...content,
      tasks: { ...content.tasks, verify_b: t('verify_b', '[ -f $D/b ]'), verify_gone: t('verify_gone', 'true') },
    };
    fs.writeFileSync(path.join(dir, 'done'), '');
    fs.writeFileSync(path.join(dir, 'b'), '');
    await sessions.start('pg-1', v1, { source: '/x', defaultMachine: 'dev', json });
    await until(() => stored().content?.state === 'completed');
    const doneAt = stored().tasks?.verify.completedAt;
    // v2: verify unchanged, verify_b's program changed (it now wants another file), verify_gone removed, init unchanged.
    const v2: ContentMeta = { ...content, title: 'Demo 2', tasks: { ...content.tasks, verify_b: t('verify_b', '[ -f $D/b2 ]') } };
    const snapshots = events.filter((e) => e.type === 'snapshot').length;
    const { ready } = await sessions.reload('pg-1', v2, { source: '/x', defaultMachine: 'dev', json: JSON.stringify({ ...v2, pages: [] }) });
    expect(stored().content).toMatchObject({ title: 'Demo 2', revision: 1 });
    expect(Object.keys(stored().tasks ?? {}).sort()).toEqual(['init_x', 'verify', 'verify_b']);
    expect(stored().tasks?.verify).toMatchObject({ status: 'completed', completedAt: doneAt });
    expect(stored().tasks?.verify_b?.status).not.toBe('completed');
    expect(events.filter((e) => e.type === 'snapshot').length).toBe(snapshots + 1);
    await ready;
    expect(sessions.json('pg-1')).toContain('Demo 2');
    await until(() => stored().tasks?.verify_b?.runs !== undefined && stored().tasks!.verify_b.runs >= 1);
    expect(stored().content?.state).toBe('ready');
    fs.writeFileSync(path.join(dir, 'b2'), '');
    await until(() => stored().content?.state === 'completed');
    expect(fs.readFileSync(path.join(dir, 'init-runs'), 'utf8')).toBe('init\n'); // the unchanged init task did not run again
    await sessions.dispose();
  });
});
