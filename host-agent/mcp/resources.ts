// Resources: a playground's record (`sandlot://pg-7f3k2a`) and a machine's directory
// listing (`sandlot://pg-7f3k2a.dev/etc`, the URI form of the extension's remote
// workspace), both limited to the session's scope and logged like tool calls.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { listDirectory } from './machine-files';
import { ToolError, type McpSession } from './session';
import { modelMessage } from './tool';

const LISTING_LIMIT = 2000;

function variable(vars: Variables, name: string): string {
  const v = vars[name];
  const value = Array.isArray(v) ? v.join(',') : v;
  if (!value) throw new ToolError(`the resource URI has no ${name}`);
  return decodeURIComponent(value);
}

/** Reads a resource with the session's scope checks; every read is logged with the MCP client's name. */
async function logged(session: McpSession, uri: URL, read: () => Promise<unknown>): Promise<ReadResourceResult> {
  try {
    const value = await read();
    await session.log(`resource ${uri.href} → ok`);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
  } catch (err) {
    const message = modelMessage(err);
    await session.log(`resource ${uri.href} → refused: ${message}`, 'warn');
    throw new Error(message, { cause: err });
  }
}

export function registerResources(server: McpServer, session: McpSession): void {
  server.registerResource(
    'playground',
    new ResourceTemplate('sandlot://{playground}', {
      list: async () => ({
        resources: (await session.scope()).playgrounds.map((r) => ({ uri: `sandlot://${r.id}`, name: `${r.id} (${r.title})`, mimeType: 'application/json' })),
      }),
    }),
    {
      title: 'Playground record',
      description: "A playground's full record as the agent keeps it: machines, users, state, deadline, content.",
      mimeType: 'application/json',
    },
    (uri, vars) => logged(session, uri, () => session.playground(variable(vars, 'playground'))),
  );

  server.registerResource(
    'machine-files',
    new ResourceTemplate('sandlot://{playground}.{machine}{+path}', {
      list: async () => ({
        resources: (await session.scope()).playgrounds
          .filter((r) => r.state === 'running')
          .flatMap((r) =>
            r.machines.map((m) => ({ uri: `sandlot://${r.id}.${m.name}${m.home}`, name: `${r.id}/${m.name}:${m.home}`, mimeType: 'application/json' })),
          ),
      }),
    }),
    {
      title: 'Machine directory listing',
      description: 'The entries of a directory in a playground machine (as its default user), e.g. sandlot://pg-7f3k2a.dev/etc.',
      mimeType: 'application/json',
    },
    (uri, vars) =>
      logged(session, uri, async () => {
        const record = await session.playground(variable(vars, 'playground'));
        const machine = session.machine(record, variable(vars, 'machine'));
        return listDirectory(await session.sftp(record, machine, undefined), variable(vars, 'path'), LISTING_LIMIT);
      }),
  );
}
