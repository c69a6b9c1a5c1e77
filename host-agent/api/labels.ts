// Labels clients put on the playgrounds they start (the `labels` of the create request,
// kept on the record), and who started a playground as the CLI and the extension show
// it. No Node-only imports: the extension imports this.
import type { PlaygroundRecord } from './records';

/** `sandlot mcp`: the session (random per server process) and the MCP client (`name/version`). */
export const LABEL_MCP_SESSION = 'mcp.session';
export const LABEL_MCP_CLIENT = 'mcp.client';

/** "MCP: claude-code/1.0.3" for a playground an MCP client started; undefined for the user's own. */
export function startedBy(record: PlaygroundRecord): string | undefined {
  const client = record.labels?.[LABEL_MCP_CLIENT];
  return client ? `MCP: ${client}` : record.labels?.[LABEL_MCP_SESSION] ? 'MCP' : undefined;
}
