// Playground tools: the catalog, start (template, manifest or tutorial), list, status,
// task states, stop, destroy, extend. Every playground argument goes through the
// session's scope; starts are labelled with the session and counted against its limit.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentClient } from '../../api/client';
import { MAX_LIFETIME_MINUTES, type PlaygroundRecord } from '../../api/protocol';
import { waitUntilRunning } from '../../cli/commands/playgrounds';
import { boundedInt, playgroundId } from '../inputs';
import { ToolError, type McpSession } from '../session';
import { playgroundSummary, summarize } from '../summary';
import { defineTool, type ToolExtra } from '../tool';

const DEFAULT_WAIT_SECONDS = 300;

/** Progress notifications for a call whose client asked for them (a progress token); a no-op otherwise. */
export function progressOf(extra: ToolExtra): (message: string) => void {
  const token = extra._meta?.progressToken;
  let step = 0;
  return (message) => {
    if (token === undefined) return;
    step += 1;
    void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: step, message } }).catch(() => undefined);
  };
}

/** Follows a new playground until it runs, fails, or `seconds` pass (then it keeps starting on its own). */
async function untilRunning(
  agent: AgentClient,
  id: string,
  seconds: number,
  progress: (m: string) => void,
): Promise<{ record: PlaygroundRecord; ready: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), seconds * 1000)));
  try {
    const record = await Promise.race([waitUntilRunning(agent, id, (line) => progress(line.trim())), timedOut]);
    return record ? { record, ready: true } : { record: await agent.get(id), ready: false };
  } catch (err) {
    // Failed or destroyed while starting: the record says why (or the error does).
    const record = await agent.get(id).catch(() => undefined);
    if (!record) throw err;
    return { record, ready: false };
  } finally {
    clearTimeout(timer);
  }
}

export function registerPlaygroundTools(server: McpServer, session: McpSession): void {
  defineTool(server, session, 'list_templates', {
    title: 'List playground templates',
    description:
      'The playground templates of the local Sandlot agent (linux, docker, k3s, …: each a set of throw-away Linux machines) and the built-in tutorials and challenges. Start one with start_playground.',
    input: {},
    output: {
      templates: z.array(z.object({ name: z.string(), title: z.string(), description: z.string(), machines: z.array(z.string()) })),
      tutorials: z.array(z.object({ name: z.string(), kind: z.string(), title: z.string(), description: z.string(), template: z.string() })),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async () => {
      const agent = await session.agent();
      const [templates, content] = await Promise.all([agent.templates(), agent.builtinContent()]);
      return {
        result: {
          templates: templates.map((t) => ({ name: t.name, title: t.title, description: t.description, machines: t.machines.map((m) => m.name) })),
          tutorials: content.map((c) => ({ name: c.name, kind: c.kind, title: c.title, description: c.description, template: c.template })),
        },
        summary: `${templates.length} templates, ${content.length} tutorials`,
      };
    },
  });

  defineTool(server, session, 'start_playground', {
    title: 'Start a playground',
    description:
      'Starts a new playground of throw-away Linux machines and waits until it runs. Give exactly one of: template (a name from list_templates), manifest (playground manifest YAML, kind: playground), or tutorial (a built-in tutorial or challenge name, or a content folder on the host). ' +
      `It lives ${session.opts.lifetimeMinutes} minutes unless lifetimeMinutes says otherwise (extend_playground adds time); this session may have ${session.opts.maxPlaygrounds} at once.`,
    input: {
      template: z.string({ error: 'expected a template name' }).min(1, { error: 'expected a template name' }).optional().describe('Template name, e.g. linux.'),
      manifest: z.string({ error: 'expected the manifest YAML as a string' }).optional().describe('A playground manifest (YAML text, kind: playground).'),
      tutorial: z
        .string({ error: 'expected a tutorial name or folder' })
        .min(1, { error: 'expected a tutorial name or folder' })
        .optional()
        .describe('A built-in tutorial/challenge name (see list_templates) or a content folder on the host.'),
      lifetimeMinutes: boundedInt('the lifetime in minutes', 1, MAX_LIFETIME_MINUTES, session.opts.lifetimeMinutes),
      waitSeconds: boundedInt('how long to wait for it to run, in seconds', 0, 1800, DEFAULT_WAIT_SECONDS),
    },
    output: { playground: playgroundSummary, ready: z.boolean().describe('Running; false: still starting (see playground_status) or failed (see error).') },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: async (args, extra) => {
      const given = (['template', 'manifest', 'tutorial'] as const).filter((k) => args[k] !== undefined);
      if (given.length !== 1) {
        throw new ToolError(
          given.length === 0
            ? 'give one of template (a name from list_templates), manifest (YAML text) or tutorial (a name from list_templates)'
            : `give only one of template, manifest or tutorial, not ${given.join(' and ')}`,
        );
      }
      await session.checkRoomToStart();
      const agent = await session.agent();
      const common = { lifetimeMinutes: args.lifetimeMinutes ?? session.opts.lifetimeMinutes, labels: session.labels() };
      const created =
        args.tutorial !== undefined
          ? await agent.startContent({ source: args.tutorial, ...common })
          : args.manifest !== undefined
            ? await agent.create({ manifest: args.manifest, manifestName: 'manifest', ...common })
            : await agent.create({ template: args.template, ...common });
      const progress = progressOf(extra);
      progress(`starting ${created.id} (${created.machines.map((m) => m.name).join(', ')})`);
      const { record, ready } = await untilRunning(agent, created.id, args.waitSeconds ?? DEFAULT_WAIT_SECONDS, progress);
      return { result: { playground: summarize(record, session), ready }, summary: `${record.id} ${record.state}` };
    },
  });

  defineTool(server, session, 'list_playgrounds', {
    title: 'List playgrounds',
    description: session.opts.all
      ? 'Every playground of the agent, with its machines, state and time left.'
      : 'The playgrounds this MCP session started, with their machines, state and time left (others are out of scope).',
    input: {},
    output: {
      playgrounds: z.array(playgroundSummary),
      otherPlaygrounds: z.number().describe('Playgrounds of the agent outside this session’s scope.'),
      limit: z.object({ max: z.number(), used: z.number() }).describe('Playgrounds this session may have at once, and has.'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async () => {
      const { playgrounds, others } = await session.scope();
      const used = playgrounds.filter((r) => session.owns(r)).length;
      return {
        result: { playgrounds: playgrounds.map((r) => summarize(r, session)), otherPlaygrounds: others, limit: { max: session.opts.maxPlaygrounds, used } },
        summary: `${playgrounds.length} in scope`,
      };
    },
  });

  defineTool(server, session, 'playground_status', {
    title: 'Playground status',
    description: 'One playground in detail: state, machines (users, addresses), time left, memory per machine, and the ports this session forwards.',
    input: { playground: playgroundId() },
    output: {
      playground: playgroundSummary,
      memoryBytes: z.record(z.string(), z.number()).describe('Resident memory per machine, where the driver can tell.'),
      forwards: z.array(z.object({ machine: z.string(), port: z.number(), url: z.string() })),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      const memoryBytes = record.state === 'running' ? await (await session.agent()).memory(record.id) : {};
      const forwards = session
        .listForwards(record.id)
        .map((f) => ({ machine: f.target.machine, port: f.target.port, url: `http://127.0.0.1:${f.local.port}/` }));
      return { result: { playground: summarize(record, session), memoryBytes, forwards }, summary: record.state };
    },
  });

  defineTool(server, session, 'task_states', {
    title: 'Tutorial task states',
    description:
      'The tasks of the tutorial or challenge a playground runs (started with start_playground tutorial=…): each one’s status (completed, failed, running, blocked), exit code, hint and output tails.',
    input: { playground: playgroundId(), includeHidden: z.boolean().optional().describe('Include hidden helper tasks; default false.') },
    output: {
      content: z.object({ name: z.string(), kind: z.string(), title: z.string(), state: z.string().optional(), error: z.string().optional() }),
      tasks: z.array(
        z.object({
          name: z.string(),
          kind: z.string(),
          machine: z.string(),
          status: z.string(),
          exitCode: z.number().nullable().optional(),
          waitingFor: z.array(z.string()).optional(),
          hint: z.string().optional(),
          stdout: z.string().optional(),
          stderr: z.string().optional(),
          error: z.string().optional(),
          runs: z.number(),
        }),
      ),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      if (!record.content) throw new ToolError(`playground ${record.id} runs no tutorial or challenge (start one with start_playground tutorial=<name>)`);
      const tasks = Object.values(await (await session.agent()).tasks(record.id))
        .filter((t) => args.includeHidden || !t.hidden)
        .map((t) => ({
          name: t.name,
          kind: t.kind,
          machine: t.machine,
          status: t.status,
          ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
          ...(t.waitingFor?.length ? { waitingFor: t.waitingFor } : {}),
          ...(t.hint ? { hint: t.hint } : {}),
          ...(t.stdout ? { stdout: t.stdout } : {}),
          ...(t.stderr ? { stderr: t.stderr } : {}),
          ...(t.error ? { error: t.error } : {}),
          runs: t.runs,
        }));
      const c = record.content;
      return {
        result: {
          content: { name: c.name, kind: c.kind, title: c.title, ...(c.state ? { state: c.state } : {}), ...(c.error ? { error: c.error } : {}) },
          tasks,
        },
        summary: `${tasks.filter((t) => t.status === 'completed').length}/${tasks.length} completed`,
      };
    },
  });

  defineTool(server, session, 'stop_playground', {
    title: 'Stop a playground',
    description: 'Stops a playground’s machines; their files are kept (the user can start it again). Ends this session’s forwards to it.',
    input: { playground: playgroundId() },
    output: { playground: playgroundSummary },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      await session.release(record.id);
      const stopped = await (await session.agent()).stop(record.id);
      return { result: { playground: summarize(stopped, session) }, summary: stopped.state };
    },
  });

  defineTool(server, session, 'destroy_playground', {
    title: 'Destroy a playground',
    description: 'Destroys a playground and everything in it (machines, files). Cannot be undone.',
    input: { playground: playgroundId() },
    output: { id: z.string(), state: z.literal('destroyed') },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      await session.release(record.id);
      const gone = await (await session.agent()).destroy(record.id);
      return { result: gone, summary: 'destroyed' };
    },
  });

  defineTool(server, session, 'extend_playground', {
    title: 'Extend a playground’s lifetime',
    description: 'Adds minutes to a playground’s lifetime (from now, or from its deadline if that is later).',
    input: { playground: playgroundId(), minutes: boundedInt('the minutes to add', 1, MAX_LIFETIME_MINUTES, 30) },
    output: { playground: playgroundSummary },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      const extended = await (await session.agent()).extend(record.id, args.minutes ?? 30);
      return { result: { playground: summarize(extended, session) }, summary: `deadline ${extended.deadline}` };
    },
  });
}
