// What a tool tells a model about a playground: the fields it acts on (ids, machines,
// users, state, time left), not keys and host keys. The zod shapes are the tools'
// output schemas; `summarize` is the one writer of the values.
import { z } from 'zod';
import type { PlaygroundRecord } from '../api/protocol';
import { LABEL_MCP_CLIENT } from '../api/labels';
import type { McpSession } from './session';

export const machineSummary = z.object({
  name: z.string(),
  state: z.string(),
  address: z.string().optional().describe('Address inside the playground network.'),
  users: z.array(z.string()),
  defaultUser: z.string(),
  home: z.string().describe("The default user's home directory."),
});

export const playgroundSummary = z.object({
  id: z.string(),
  template: z.string(),
  title: z.string(),
  state: z.string().describe('provisioning, running, stopped, failed, …'),
  driver: z.string(),
  deadline: z.string().describe('When the agent stops and destroys it (extend_playground moves it).'),
  minutesLeft: z.number(),
  machines: z.array(machineSummary),
  startedByThisSession: z.boolean(),
  startedBy: z.string().optional().describe('The MCP client that started it, when one did.'),
  content: z
    .object({ name: z.string(), kind: z.string(), title: z.string(), state: z.string().optional() })
    .optional()
    .describe('The tutorial or challenge it runs (see task_states).'),
  error: z.string().optional(),
});
export type PlaygroundSummary = z.infer<typeof playgroundSummary>;

export function summarize(r: PlaygroundRecord, session: McpSession, now = Date.now()): PlaygroundSummary {
  return {
    id: r.id,
    template: r.template,
    title: r.title,
    state: r.state,
    driver: r.driver,
    deadline: r.deadline,
    minutesLeft: Math.max(0, Math.round((Date.parse(r.deadline) - now) / 60_000)),
    machines: r.machines.map((m) => ({
      name: m.name,
      state: m.state,
      ...(m.address ? { address: m.address } : {}),
      users: m.users,
      defaultUser: m.defaultUser,
      home: m.home,
    })),
    startedByThisSession: session.owns(r),
    ...(r.labels?.[LABEL_MCP_CLIENT] ? { startedBy: r.labels[LABEL_MCP_CLIENT] } : {}),
    ...(r.content ? { content: { name: r.content.name, kind: r.content.kind, title: r.content.title, state: r.content.state } } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
