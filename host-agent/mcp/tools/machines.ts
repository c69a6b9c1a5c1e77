// Machine tools: run a command, read, write and list files, list listening ports,
// forward a port. Commands go through the agent's exec route; files over SFTP through
// the agent's tunnel; forwards are local listeners that live as long as the session.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { LISTENING_PORTS_COMMAND, parseListeningPorts } from '../../machines/proc-net-tcp';
import { boundedInt, machineName, playgroundId, userName } from '../inputs';
import { listDirectory, readFileCapped, writeFileBytes } from '../machine-files';
import { OutputCap } from '../output-cap';
import { ToolError, type McpSession } from '../session';
import { defineTool } from '../tool';

const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 600;
const DEFAULT_OUTPUT_BYTES = 32 * 1024;
const MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_READ_BYTES = 64 * 1024;
const MAX_READ_BYTES = 1024 * 1024;
const MAX_WRITE_BYTES = 1024 * 1024;
const DEFAULT_LIST_ENTRIES = 500;
/** Exit status of coreutils `timeout` when the time ran out (the agent wraps commands in it). */
const TIMEOUT_EXIT = 124;
/** How long past its own timeout a command may take before the call gives up on the stream. */
const STREAM_GRACE_MS = 15_000;

const filePath = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .min(1, { error: `expected ${what}` })
    .refine((p) => !p.includes('\0'), { error: 'expected a path without NUL bytes' })
    .describe(`${what[0].toUpperCase()}${what.slice(1)} in the machine; relative paths start at the user's home.`);

export function registerMachineTools(server: McpServer, session: McpSession): void {
  defineTool(server, session, 'run_command', {
    title: 'Run a command in a machine',
    description:
      'Runs a bash command in a playground machine and returns its exit code, stdout and stderr. Output past maxOutputBytes per stream is cut in the middle (the start and the end are kept) and marked truncated. ' +
      'The command is killed after timeoutSeconds (timedOut: true, exit code 124). For servers, start them in the background with their output redirected (nohup cmd >/tmp/log 2>&1 &).',
    input: {
      playground: playgroundId(),
      machine: machineName(),
      command: z.string({ error: 'expected the command as a string' }).min(1, { error: 'expected a non-empty command' }).describe('Bash command line.'),
      user: userName(),
      timeoutSeconds: boundedInt('the timeout in seconds', 1, MAX_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS),
      maxOutputBytes: boundedInt('the output kept per stream, in bytes', 256, MAX_OUTPUT_BYTES, DEFAULT_OUTPUT_BYTES),
      env: z
        .record(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected variable names like FOO_BAR' }),
          z.string({ error: 'expected string values' }),
          {
            error: 'expected an object of variable names to string values',
          },
        )
        .optional()
        .describe('Environment variables for the command.'),
    },
    output: {
      playground: z.string(),
      machine: z.string(),
      exitCode: z.number().nullable().describe('null when a signal ended it.'),
      signal: z.string().optional(),
      timedOut: z.boolean(),
      durationMs: z.number(),
      stdout: z.string(),
      stdoutBytes: z.number().describe('Bytes the command wrote to stdout in all.'),
      stderr: z.string(),
      stderrBytes: z.number().describe('Bytes the command wrote to stderr in all.'),
      truncated: z.boolean().describe('Some output was left out (see stdoutBytes/stderrBytes).'),
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    run: async (args, extra) => {
      const record = await session.playground(args.playground);
      const machine = session.machine(record, args.machine);
      const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      const cap = args.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES;
      const out = { stdout: new OutputCap(cap), stderr: new OutputCap(cap) };
      // The agent's `timeout` ends the command; this ends the call should the stream outlive it.
      const streamDeadline = AbortSignal.timeout(timeoutSeconds * 1000 + STREAM_GRACE_MS);
      const started = Date.now();
      let exit: { code: number | null; signal?: string };
      try {
        exit = await (
          await session.agent()
        ).exec(
          record.id,
          machine.name,
          { command: args.command, timeoutSeconds, ...(args.user ? { user: args.user } : {}), ...(args.env ? { env: args.env } : {}) },
          (c) => {
            if (c.type === 'stdout' || c.type === 'stderr') out[c.type].push(Buffer.from(c.data, 'base64'));
          },
          AbortSignal.any([extra.signal, streamDeadline]),
        );
      } catch (err) {
        if (streamDeadline.aborted) exit = { code: null, signal: 'KILL' };
        else if (extra.signal.aborted) throw new ToolError('the call was cancelled; the command was ended');
        else throw err;
      }
      const durationMs = Date.now() - started;
      const timedOut = streamDeadline.aborted || (exit.code === TIMEOUT_EXIT && durationMs >= timeoutSeconds * 1000 - 500);
      const stdout = out.stdout.result();
      const stderr = out.stderr.result();
      const result = {
        playground: record.id,
        machine: machine.name,
        exitCode: exit.code,
        ...(exit.signal ? { signal: exit.signal } : {}),
        timedOut,
        durationMs,
        stdout: stdout.text,
        stdoutBytes: stdout.bytes,
        stderr: stderr.text,
        stderrBytes: stderr.bytes,
        truncated: stdout.truncated || stderr.truncated,
      };
      const status = `exit ${exit.code ?? `signal ${exit.signal ?? '?'}`}${timedOut ? ` (timed out after ${timeoutSeconds} s)` : ''}`;
      const text = [
        `${status} in ${durationMs} ms on ${record.id}/${machine.name}`,
        `--- stdout (${stdout.bytes} bytes${stdout.truncated ? ', truncated' : ''}) ---`,
        stdout.text,
        `--- stderr (${stderr.bytes} bytes${stderr.truncated ? ', truncated' : ''}) ---`,
        stderr.text,
      ].join('\n');
      return { result, text, summary: `${record.id}/${machine.name} ${status}${result.truncated ? ', output truncated' : ''}` };
    },
  });

  defineTool(server, session, 'read_file', {
    title: 'Read a file in a machine',
    description: `Reads a file in a playground machine (up to maxBytes from offset; default ${DEFAULT_READ_BYTES}). UTF-8 text comes as text, anything else as base64. A longer file is marked truncated: read on from offset + bytesRead.`,
    input: {
      playground: playgroundId(),
      machine: machineName(),
      path: filePath('the file path'),
      user: userName(),
      offset: z
        .number({ error: 'expected a byte offset' })
        .int()
        .min(0, { error: 'expected an offset of 0 or more' })
        .optional()
        .describe('Byte offset; default 0.'),
      maxBytes: boundedInt('the bytes to read', 1, MAX_READ_BYTES, DEFAULT_READ_BYTES),
    },
    output: {
      path: z.string(),
      size: z.number(),
      offset: z.number(),
      bytesRead: z.number(),
      truncated: z.boolean(),
      encoding: z.enum(['utf8', 'base64']),
      content: z.string(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      const machine = session.machine(record, args.machine);
      const sftp = await session.sftp(record, machine, args.user);
      const read = await readFileCapped(sftp, args.path, args.offset ?? 0, args.maxBytes ?? DEFAULT_READ_BYTES);
      return { result: read, summary: `${record.id}/${machine.name}:${args.path} ${read.bytesRead} bytes${read.truncated ? ' (truncated)' : ''}` };
    },
  });

  defineTool(server, session, 'write_file', {
    title: 'Write a file in a machine',
    description: `Creates or replaces a file in a playground machine (at most ${MAX_WRITE_BYTES} bytes). Content is UTF-8 text, or base64 with encoding: base64.`,
    input: {
      playground: playgroundId(),
      machine: machineName(),
      path: filePath('the file path'),
      content: z.string({ error: 'expected the file content as a string' }).describe('The whole new content.'),
      encoding: z.enum(['utf8', 'base64'], { error: 'expected utf8 or base64' }).optional().describe('utf8 (default) or base64.'),
      mode: z
        .string({ error: 'expected permission bits in octal, e.g. "0755"' })
        .regex(/^0?[0-7]{3,4}$/, { error: 'expected permission bits in octal, e.g. "0755"' })
        .optional()
        .describe('Permission bits in octal, e.g. "0755".'),
      makeParents: z.boolean().optional().describe('Create missing parent directories; default false.'),
      user: userName(),
    },
    output: { path: z.string(), bytesWritten: z.number() },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    run: async (args) => {
      const data = args.encoding === 'base64' ? Buffer.from(args.content, 'base64') : Buffer.from(args.content, 'utf8');
      if (data.length > MAX_WRITE_BYTES) throw new ToolError(`content: ${data.length} bytes, more than the ${MAX_WRITE_BYTES} a write may have`);
      const record = await session.playground(args.playground);
      const machine = session.machine(record, args.machine);
      const sftp = await session.sftp(record, machine, args.user);
      await writeFileBytes(sftp, args.path, data, {
        mode: args.mode === undefined ? undefined : parseInt(args.mode, 8),
        makeParents: args.makeParents ?? false,
      });
      return { result: { path: args.path, bytesWritten: data.length }, summary: `${record.id}/${machine.name}:${args.path} ${data.length} bytes` };
    },
  });

  defineTool(server, session, 'list_files', {
    title: 'List a directory in a machine',
    description: 'Lists a directory in a playground machine: names, types, sizes, modes, modification times.',
    input: {
      playground: playgroundId(),
      machine: machineName(),
      path: filePath('the directory path').optional(),
      user: userName(),
      maxEntries: boundedInt('the entries to list', 1, 10_000, DEFAULT_LIST_ENTRIES),
    },
    output: {
      path: z.string(),
      entries: z.array(
        z.object({ name: z.string(), type: z.enum(['file', 'directory', 'symlink', 'other']), size: z.number(), mode: z.string(), modified: z.string() }),
      ),
      truncated: z.boolean(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      const machine = session.machine(record, args.machine);
      const sftp = await session.sftp(record, machine, args.user);
      const listing = await listDirectory(sftp, args.path ?? '.', args.maxEntries ?? DEFAULT_LIST_ENTRIES);
      return { result: listing, summary: `${record.id}/${machine.name}:${listing.path} ${listing.entries.length} entries` };
    },
  });

  defineTool(server, session, 'list_ports', {
    title: 'List listening ports',
    description:
      'The TCP ports something listens on inside a playground machine, with the addresses they are bound to. Reach one from the host with forward_port.',
    input: { playground: playgroundId(), machine: machineName() },
    output: { playground: z.string(), machine: z.string(), ports: z.array(z.object({ port: z.number(), addresses: z.array(z.string()) })) },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (args, extra) => {
      const record = await session.playground(args.playground);
      const machine = session.machine(record, args.machine);
      const out = new OutputCap(4 * 1024 * 1024);
      const exit = await (
        await session.agent()
      ).exec(
        record.id,
        machine.name,
        { command: LISTENING_PORTS_COMMAND, timeoutSeconds: 20 },
        (c) => {
          if (c.type === 'stdout') out.push(Buffer.from(c.data, 'base64'));
        },
        extra.signal,
      );
      const ports = parseListeningPorts(out.result().text);
      if (exit.code !== 0 && ports.length === 0) throw new ToolError(`cannot read /proc/net/tcp in ${record.id}/${machine.name} (exit ${exit.code})`);
      return {
        result: { playground: record.id, machine: machine.name, ports },
        summary: `${record.id}/${machine.name}: ${ports.map((p) => p.port).join(', ') || 'none'}`,
      };
    },
  });

  defineTool(server, session, 'forward_port', {
    title: 'Forward a machine port to the host',
    description:
      'Makes a TCP port of a playground machine reachable on this host: returns a local address (and an http:// URL) whose connections go to that port. The forward lasts as long as this MCP session.',
    input: {
      playground: playgroundId(),
      machine: machineName(),
      port: z
        .number({ error: 'expected a TCP port number' })
        .int()
        .min(1, { error: 'expected a port from 1 to 65535' })
        .max(65535, { error: 'expected a port from 1 to 65535' }),
    },
    output: {
      playground: z.string(),
      machine: z.string(),
      port: z.number(),
      localAddress: z.string().describe('host:port on this host.'),
      url: z.string().describe('http://host:port/ (for HTTP servers).'),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: async (args) => {
      const record = await session.playground(args.playground);
      const machine = session.machine(record, args.machine);
      const forward = await session.forward(record, machine.name, args.port);
      const local = `${forward.local.address}:${forward.local.port}`;
      return {
        result: { playground: record.id, machine: machine.name, port: args.port, localAddress: local, url: `http://${local}/` },
        summary: `${local} → ${record.id}/${machine.name}:${args.port}`,
      };
    },
  });
}
