// How every Sandlot tool is registered: zod input and output shapes (the SDK turns them
// into the JSON Schemas clients see and checks both), a structured result with its JSON
// as text for clients that read only text, and one line per call in the agent's log
// naming the MCP client, the tool, its arguments and the outcome. A failure comes back
// as a tool error whose text is one line the model can act on.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AgentApiError, AgentUnreachableError } from '../api/client';
import { errorMessage } from '../util/errors';
import { oneLine, ToolError, type McpSession } from './session';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Shape = z.ZodRawShape;

export interface ToolOutcome<O extends Shape> {
  result: z.infer<z.ZodObject<O>>;
  /** What the call did, for the agent's log (default: nothing beyond "ok"). */
  summary?: string;
  /** Text for the model instead of the result's JSON (a command's output reads better as text). */
  text?: string;
}

export interface ToolSpec<I extends Shape, O extends Shape> {
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  run: (args: z.output<z.ZodObject<I>>, extra: ToolExtra) => Promise<ToolOutcome<O>>;
}

/** Registers one tool on the server with the session's logging and error handling. */
export function defineTool<I extends Shape, O extends Shape>(server: McpServer, session: McpSession, name: string, spec: ToolSpec<I, O>): void {
  const input = z.object(spec.input);
  // The SDK checked the arguments against the same shape; parsing them again here gives them
  // their type (the SDK's callback type cannot follow a shape that is a type parameter).
  const handler = async (raw: ShapeOutput<ZodRawShapeCompat>, extra: ToolExtra): Promise<CallToolResult> => {
    const started = Date.now();
    const call = `tool ${name} ${describeArgs(raw)}`;
    try {
      const outcome = await spec.run(input.parse(raw), extra);
      await session.log(`${call} → ok${outcome.summary ? `: ${outcome.summary}` : ''} (${Date.now() - started} ms)`);
      return {
        content: [{ type: 'text', text: outcome.text ?? JSON.stringify(outcome.result, null, 2) }],
        structuredContent: outcome.result,
      };
    } catch (err) {
      const message = modelMessage(err);
      await session.log(`${call} → refused: ${message} (${Date.now() - started} ms)`, 'warn');
      return { content: [{ type: 'text', text: message }], isError: true };
    }
  };
  server.registerTool<ZodRawShapeCompat, ZodRawShapeCompat>(
    name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: { title: spec.title, ...spec.annotations },
    },
    handler,
  );
}

/** The error as the model should read it: our own messages as they are, others with where they came from. */
export function modelMessage(err: unknown): string {
  if (err instanceof ToolError || err instanceof AgentApiError || err instanceof AgentUnreachableError) return oneLine(err.message, 2000);
  return oneLine(`unexpected error: ${errorMessage(err)}`, 2000);
}

/** Arguments for the log: long strings (file contents, scripts) shortened, so a line stays readable. */
export function describeArgs(args: unknown): string {
  return JSON.stringify(args, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 120 ? `${value.slice(0, 100)}… (${value.length} chars)` : value,
  );
}
