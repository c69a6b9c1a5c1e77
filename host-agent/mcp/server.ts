// `sandlot mcp`: an MCP server on stdin/stdout whose tools and resources act on the
// agent's playgrounds for one MCP client. Wiring only: the session (scope, limits, what
// it holds open), the tools, the resources, the transport. It runs until the client
// closes the connection; what the session held open is closed then.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { AgentClient } from '../api/client';
import { registerResources } from './resources';
import { McpSession, type McpOptions } from './session';
import { registerMachineTools } from './tools/machines';
import { registerPlaygroundTools } from './tools/playgrounds';

function instructions(opts: McpOptions): string {
  return [
    'Sandlot gives you throw-away Linux machines (playgrounds) on this computer to try things in, instead of the user’s own machine.',
    'Start one with start_playground (see list_templates), then use run_command, read_file, write_file, list_ports and forward_port on its machines; destroy it when done.',
    opts.all
      ? 'This server may act on every playground of the agent.'
      : 'You can act only on playgrounds this session started; those of the user or other sessions are out of scope.',
    `At most ${opts.maxPlaygrounds} playgrounds at once; each lives ${opts.lifetimeMinutes} minutes unless extended (extend_playground).`,
  ].join(' ');
}

export async function runMcpServer(opts: McpOptions, version: string, connect: () => Promise<AgentClient>): Promise<void> {
  const note = (line: string) => process.stderr.write(`sandlot mcp: ${line}\n`);
  const session = new McpSession(opts, connect, note);
  const server = new McpServer({ name: 'sandlot', title: 'Sandlot playgrounds', version }, { instructions: instructions(opts), capabilities: { logging: {} } });
  registerPlaygroundTools(server, session);
  registerMachineTools(server, session);
  registerResources(server, session);
  server.server.oninitialized = () => {
    const client = server.server.getClientVersion();
    session.clientName = client ? `${client.name}/${client.version}` : 'unknown-client';
    void session.log(`session ${session.id} started${opts.all ? ' (--all: every playground in scope)' : ''}`);
  };
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    // The client went away without closing (stdin ended): the SDK does not notice on its own.
    process.stdin.once('end', resolve);
  });
  await server.connect(transport);
  await closed;
  await session.log(`session ${session.id} ended`);
  await session.close();
  await server.close();
}
