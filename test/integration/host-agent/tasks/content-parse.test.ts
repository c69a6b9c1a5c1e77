// A real agent reading maximal and pathological content: it keeps answering API calls
// (`GET /v1/info`, polled the whole time) while the content is parsed in its reader
// worker, and each read ends within its limits — a playground for good content, one clear
// line for content too complex to parse.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../../../../host-agent/util/errors';
import { startAgent, tempHome, type AgentHandle } from '../../../helpers/agent-process';

/** Markdown that looks like a long tutorial: headings, prose with inline markup, code, lists. */
function realisticBody(bytes: number): string {
  const section = (i: number) =>
    `## Step ${i}\n\nRun the **command** below and look at \`/var/log/syslog\`; see https://example.com/docs/${i} for more.\n` +
    `It prints _one line_ per event, which [the manual](https://example.com/man) explains.\n\n` +
    '```sh\ntail -n 20 /var/log/syslog | grep -c error\n```\n\n' +
    `- first point about step ${i}\n- second point with \`code\`\n\n`;
  let out = '';
  for (let i = 1; out.length < bytes; i++) out += section(i);
  return out.slice(0, bytes);
}

/** Emphasis markers micromark resolves by splicing: far slower and hungrier than prose. */
function pathologicalBody(bytes: number): string {
  let out = '';
  while (out.length < bytes) out += `${'a_b c~d *e* **f** '.repeat(1500)}\n\n`;
  return out.slice(0, bytes);
}

async function whilePolling<T>(agent: AgentHandle, work: () => Promise<T>): Promise<{ result: T | Error; ms: number; info: number[] }> {
  const info: number[] = [];
  let done = false;
  const poller = (async () => {
    while (!done) {
      const t = performance.now();
      await agent.client.info();
      info.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const t0 = performance.now();
  const result = await work().catch((err: unknown) => (err instanceof Error ? err : new Error(errorMessage(err))));
  const ms = performance.now() - t0;
  done = true;
  await poller;
  return { result, ms, info: info.sort((a, b) => a - b) };
}

describe('content parsing in a real agent', () => {
  let agent: AgentHandle;
  let root: string;
  const created: string[] = [];

  beforeAll(async () => {
    agent = await startAgent({ home: tempHome('sandlot-content-parse-') });
    root = tempHome('sandlot-content-parse-content-');
  });

  afterAll(async () => {
    for (const id of created) await agent.client.destroy(id).catch(() => {});
    await agent?.kill();
    for (const d of [agent?.home, root]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  const write = (name: string, body: string) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.md'), `---\nkind: tutorial\ntitle: ${name}\nplayground: { name: linux }\n---\n${body}`);
    return dir;
  };

  it('answers /v1/info while a maximal tutorial is parsed, then runs it', async () => {
    const dir = write('maximal', realisticBody(250 * 1024));
    const { result, ms, info } = await whilePolling(agent, () => agent.client.startContent({ source: dir }));
    if (result instanceof Error) throw result;
    created.push(result.id);
    console.log(
      `maximal tutorial (250 KiB): started in ${ms.toFixed(0)} ms; /v1/info during it: ${info.length} calls, median ${info[info.length >> 1].toFixed(1)} ms, max ${info.at(-1)!.toFixed(1)} ms`,
    );
    expect(result.content?.title).toBe('maximal');
    expect(info.length).toBeGreaterThan(5);
    expect(info[info.length >> 1]).toBeLessThan(50);
    expect(info.at(-1)!).toBeLessThan(Math.max(500, ms / 4)); // never blocked for the parse
    // The document is served as the worker wrote it.
    const doc = await agent.client.content(result.id);
    expect(doc.pages[0].blocks.length).toBeGreaterThan(500);
  }, 120_000);

  it('answers /v1/info while pathological markdown is parsed, and the read ends within its limits', async () => {
    const dir = write('pathological', pathologicalBody(250 * 1024));
    const { result, ms, info } = await whilePolling(agent, () => agent.client.startContent({ source: dir }));
    console.log(
      `pathological markdown (250 KiB): ${result instanceof Error ? `refused: ${result.message}` : 'started'} after ${ms.toFixed(0)} ms; /v1/info: median ${info[info.length >> 1].toFixed(1)} ms, max ${info.at(-1)!.toFixed(1)} ms`,
    );
    if (result instanceof Error) {
      expect(result.message).toMatch(
        /reading the content (took more than 30 s of processor time|took longer than 120 s|needed more than 384 MB of memory) \(the limit\), so it was stopped/,
      );
      expect(result.message.split('\n')).toHaveLength(1);
    } else {
      created.push(result.id);
    }
    expect(ms).toBeLessThan(125_000);
    expect(info[info.length >> 1]).toBeLessThan(50);
    expect(info.at(-1)!).toBeLessThan(Math.max(500, ms / 4));
    expect((await agent.client.info()).pid).toBe(agent.process.pid); // still the same agent
  }, 120_000);
});
