// `sandlot mcp`: an MCP server over stdio for AI tools (VS Code agent mode, Claude Code, …).
// Its modules (the MCP SDK, SFTP, the tools) load only when the command runs.
import type { Command } from 'commander';
import { CliError, clientOrStartAgent } from '../context';

function count(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag}: expected a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function register(program: Command, version: string): void {
  program
    .command('mcp')
    .description('serve MCP over stdin/stdout: tools for AI agents to start playgrounds and work in their machines')
    .option('--all', 'act on every playground of the agent, not only those this session started')
    .option('--max-playgrounds <n>', 'playgrounds one session may have at once', '3')
    .option('--lifetime <minutes>', 'lifetime of the playgrounds a session starts', '30')
    .action(async (o: { all?: boolean; maxPlaygrounds: string; lifetime: string }) => {
      const opts = {
        all: !!o.all,
        maxPlaygrounds: count('--max-playgrounds', o.maxPlaygrounds, 1, 100),
        lifetimeMinutes: count('--lifetime', o.lifetime, 1, 7 * 24 * 60),
      };
      const { runMcpServer } = await import('../../mcp/server');
      // stdout carries the protocol: progress lines go to stderr.
      await runMcpServer(opts, version, () => clientOrStartAgent((line) => process.stderr.write(`sandlot mcp: ${line}\n`)));
    });
}
