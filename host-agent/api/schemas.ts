// The zod schemas of the route table's request bodies and queries. The server parses
// every request with them (router.ts); the table (protocol.ts) names each route's schema
// by type only, so the client, the CLI's lean commands and ssh-proxy load the table
// without zod (~750 KB of JavaScript, the largest part of a CLI start).
import { z } from 'zod';
import { MAX_LABELS, MAX_LIFETIME_MINUTES, showValue, type Api, type QueryRoute, type BodyRoute, type SchemaIn } from './protocol';

const minutes = () => {
  const error = (iss: { input?: unknown }) => `expected a number of minutes (more than 0, at most ${MAX_LIFETIME_MINUTES}), got ${showValue(iss.input)}`;
  return z.number({ error }).gt(0, { error }).max(MAX_LIFETIME_MINUTES, { error });
};

/** A name shown in messages: one line, no control characters. */
const oneLine = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .max(1024, { error: `expected at most 1024 characters` })
    .regex(/^\P{Cc}*$/u, { error: 'expected one line without control characters' });

/** Label keys: lower-case words joined by '.', '-', '_' or '/' (`mcp.session`). */
const LABEL_KEY = /^[a-z0-9][a-z0-9._/-]{0,62}$/;

/**
 * Labels a client puts on the playgrounds it starts, kept on the record as given (`sandlot
 * mcp` marks its session's playgrounds with them). The agent does not interpret them.
 */
const labels = () =>
  z
    .record(
      z.string().regex(LABEL_KEY, { error: (iss) => `expected a label key of lower-case letters, digits, '.', '_', '/' or '-', got ${showValue(iss.input)}` }),
      oneLine('a label value').max(256, { error: 'expected at most 256 characters' }),
      { error: 'expected an object of label keys to string values' },
    )
    .refine((l) => Object.keys(l).length <= MAX_LABELS, { error: `expected at most ${MAX_LABELS} labels` });

export const createPlaygroundBody = z
  .strictObject({
    /** A catalog template name … */
    template: oneLine('a template name').min(1, { error: 'expected a template name' }).optional(),
    /** … or a manifest's YAML text (`kind: playground`). */
    manifest: z.string({ error: 'expected the manifest YAML as a string' }).optional(),
    /** Names the manifest in error messages (the CLI passes the path it read). */
    manifestName: oneLine('a file name').optional(),
    /** Lifetime in minutes; default 120. */
    lifetimeMinutes: minutes().optional(),
    /** Kept on the record (`labels`). */
    labels: labels().optional(),
    /** Values of the manifest's init conditions (`-i key=value`); the agent checks them against the manifest. */
    inputs: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { error: (iss) => `expected an init condition key, got ${showValue(iss.input)}` }), z.string(), {
        error: 'expected an object of init condition keys to string values',
      })
      .optional(),
  })
  .superRefine((body, ctx) => {
    if (body.template !== undefined && body.manifest !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['manifest'], message: 'give either "template" or "manifest", not both' });
    } else if (body.template === undefined && body.manifest === undefined) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'expected "template" (a catalog name) or "manifest" (YAML text)' });
    }
  });
export type CreatePlaygroundRequest = z.input<typeof createPlaygroundBody>;

export const extendBody = z.strictObject({ minutes: minutes() });
export type ExtendRequest = z.input<typeof extendBody>;

export const execBody = z.strictObject({
  command: z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' }),
  user: z
    .string({ error: 'expected a user name' })
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: (iss) => `expected a Unix user name, got ${showValue(iss.input)}` })
    .optional(),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a variable name like FOO_BAR' }),
      z.string({ error: 'expected a string value' }).refine((v) => !v.includes('\0'), { error: 'expected a value without NUL bytes' }),
      { error: 'expected an object of variable names to string values' },
    )
    .optional(),
  timeoutSeconds: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).optional(),
});
export type ExecRequest = z.input<typeof execBody>;

export const startContentBody = z.strictObject({
  /** A content folder on the agent's host (iximiuz `index.md` or Killercoda `index.json`) or a built-in name. */
  source: oneLine('a content folder or a built-in name').min(1, { error: 'expected a content folder or a built-in name' }),
  lifetimeMinutes: minutes().optional(),
  labels: labels().optional(),
  /** Run it on this driver instead of the one its playground asks for (`sandlot content test --driver`). */
  driver: z.enum(['sandbox', 'docker', 'microvm'], { error: (iss) => `expected sandbox, docker or microvm, got ${showValue(iss.input)}` }).optional(),
});
export type StartContentRequest = z.input<typeof startContentBody>;

/** Something changed in a machine (a command finished in a terminal, a file was saved): check now. */
export const machineChangedBody = z.strictObject({
  /** What happened, for the agent's log: `terminal`, `file`, `solution`, … */
  reason: z
    .string({ error: 'expected a short word' })
    .regex(/^[a-z-]{1,32}$/, { error: (iss) => `expected a short word like "terminal" or "file", got ${showValue(iss.input)}` })
    .optional(),
});
export type MachineChangedRequest = z.input<typeof machineChangedBody>;

/** A learner's answer to a user-input task. */
export const taskInputBody = z.strictObject({ value: z.string({ error: 'expected the answer as a string' }) });
export type TaskInputRequest = z.input<typeof taskInputBody>;

/** A snapshot or template name: what people type, also safe as a file name. */
const SAVED_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const savedName = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .regex(SAVED_NAME, { error: (iss) => `expected ${what}: lowercase letters, digits and '-', at most 63, got ${showValue(iss.input)}` })
    .refine((n) => !/^(pg|sn)-/.test(n), { error: `expected ${what} that does not start with pg- or sn- (those are ids)` });

export const createSnapshotBody = z.strictObject({ name: savedName('a snapshot name').optional() });
export type CreateSnapshotRequest = z.input<typeof createSnapshotBody>;

export const forkBody = z.strictObject({
  /** Title of the new playground; default: the snapshot's. */
  title: oneLine('a title').min(1, { error: 'expected a title' }).optional(),
  lifetimeMinutes: minutes().optional(),
});
export type ForkRequest = z.input<typeof forkBody>;

export const saveTemplateBody = z.strictObject({
  /** The template's name (what `sandlot start` takes). */
  name: savedName('a template name'),
  title: oneLine('a title').min(1, { error: 'expected a title' }).optional(),
});
export type SaveTemplateRequest = z.input<typeof saveTemplateBody>;

export const listSnapshotsQuery = z.strictObject({
  /** Only the snapshots of this playground. */
  playground: z.string().optional(),
});

/** The first frame of the `run` WebSocket: which playground to make, where to run what (see run-frames.ts). */
export const runRequest = z.strictObject({
  /** What to make, as for createPlayground; its lifetime bounds a `keep` run. */
  playground: createPlaygroundBody,
  /** The machine that runs the command; default the first. */
  machine: oneLine('a machine name').min(1, { error: 'expected a machine name' }).optional(),
  /** The command line, run by the user's shell as `ssh host <command>` would. */
  command: z.string({ error: 'expected the command as a string' }).min(1, { error: 'expected a non-empty command' }),
  user: execBody.shape.user,
  /** A terminal for the command (the client's stdin and stdout are one). */
  tty: z
    .strictObject({
      cols: z.number().int().min(1).max(10_000),
      rows: z.number().int().min(1).max(10_000),
      term: oneLine('a terminal type').max(64),
    })
    .optional(),
  /** Keep the playground after the command ends (or is cancelled). */
  keep: z.boolean({ error: 'expected true or false' }).optional(),
});
export type RunRequest = z.input<typeof runRequest>;

/** A line for the agent's log from a client that acts for someone else (`sandlot mcp` logs every tool call). */
export const clientLogBody = z.strictObject({
  /** Who is speaking, e.g. `mcp claude-code/1.0.3`. */
  client: oneLine('a client name').min(1, { error: 'expected a client name' }).max(200, { error: 'expected at most 200 characters' }),
  level: z.enum(['info', 'warn'], { error: (iss) => `expected info or warn, got ${showValue(iss.input)}` }).optional(),
  /** One line (no control characters), so a client cannot forge other lines of the log. */
  message: oneLine('the message').min(1, { error: 'expected a message' }),
});
export type ClientLogRequest = z.input<typeof clientLogBody>;

export const tunnelQuery = z.strictObject({
  /** TCP port inside the machine; default 22 (its SSH server). */
  port: z
    .string()
    .refine((p) => /^[0-9]{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535, { error: (iss) => `expected 1-65535, got ${showValue(iss.input)}` })
    .transform(Number)
    .optional(),
});

/** The body schema of every route whose table entry `takes` one: a route without its schema here does not compile. */
export const BODY_SCHEMAS = {
  createPlayground: createPlaygroundBody,
  extendPlayground: extendBody,
  exec: execBody,
  startContent: startContentBody,
  taskInput: taskInputBody,
  machineChanged: machineChangedBody,
  clientLog: clientLogBody,
  createSnapshot: createSnapshotBody,
  forkPlayground: forkBody,
  forkSnapshot: forkBody,
  savePlayground: saveTemplateBody,
  saveSnapshot: saveTemplateBody,
} as const satisfies { [K in BodyRoute]: SchemaIn<Api[K], 'body'> };

/** The query schema of every route whose table entry `takes` one. */
export const QUERY_SCHEMAS = { tunnel: tunnelQuery, tcpTunnel: tunnelQuery, listSnapshots: listSnapshotsQuery } as const satisfies {
  [K in QueryRoute]: SchemaIn<Api[K], 'query'>;
};
