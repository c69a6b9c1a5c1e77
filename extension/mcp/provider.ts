// Offers Sandlot's MCP server (`sandlot mcp`, run by the CLI beside the extension) to VS
// Code's agent mode, so AI tools get playgrounds without any configuration. The API is
// VS Code 1.101's (lm.registerMcpServerDefinitionProvider, McpStdioServerDefinition):
// found at run time, since the extension also runs on 1.100, which lacks it (there it logs
// why and does nothing). `sandlot.mcp.enabled: false` offers no server.
import * as vscode from 'vscode';
import { version } from '../../package.json';
import { TOKEN_SECRET } from '../agent-client/connection';
import type { CliCommand } from '../agent-client/cli';
import { errorMessage } from '../log';
import { compareVersions } from '../manifest/tested-versions';
import { MCP_ENABLED_SETTING, MCP_PROVIDER_ID } from './manifest';

/** The part of VS Code 1.101's API this uses (@types/vscode stays at the oldest tested version). */
interface McpStdioServerDefinition {
  readonly label: string;
}
interface McpServerDefinitionProvider {
  onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): vscode.ProviderResult<McpStdioServerDefinition[]>;
  resolveMcpServerDefinition?(server: McpStdioServerDefinition, token: vscode.CancellationToken): vscode.ProviderResult<McpStdioServerDefinition>;
}
interface McpApi {
  register: (id: string, provider: McpServerDefinitionProvider) => vscode.Disposable;
  /** `new vscode.McpStdioServerDefinition(label, command, args, env, version)`. */
  define: (label: string, command: string, args: string[], env: Record<string, string>, version: string) => McpStdioServerDefinition;
}

function isFunction(v: unknown): v is (...args: never[]) => unknown {
  return typeof v === 'function';
}

function isDefinition(v: unknown): v is McpStdioServerDefinition {
  return typeof v === 'object' && v !== null && typeof Reflect.get(v, 'label') === 'string';
}

/**
 * The release that made the API stable. 1.100 has a function of the same name, but it
 * wants an earlier contribution point (`modelContextServerCollections`) and refuses ours.
 */
export const MCP_API_SINCE = '1.101.0';

/** The MCP server definition API of the running VS Code, or undefined where it has none. */
function mcpApi(): McpApi | undefined {
  if (compareVersions(vscode.version.replace(/-.*$/, ''), MCP_API_SINCE) < 0) return undefined;
  const lm: unknown = Reflect.get(vscode, 'lm');
  const register: unknown = lm && typeof lm === 'object' ? Reflect.get(lm, 'registerMcpServerDefinitionProvider') : undefined;
  const Definition: unknown = Reflect.get(vscode, 'McpStdioServerDefinition');
  if (!isFunction(register) || !isFunction(Definition)) return undefined;
  return {
    register: (id, provider) => {
      const d: unknown = Reflect.apply(register, lm, [id, provider]);
      const dispose: unknown = d && typeof d === 'object' ? Reflect.get(d, 'dispose') : undefined;
      if (!isFunction(dispose)) throw new Error('registerMcpServerDefinitionProvider returned no disposable');
      return { dispose: () => void Reflect.apply(dispose, d, []) };
    },
    define: (...args) => {
      const d: unknown = Reflect.construct(Definition, args);
      if (!isDefinition(d)) throw new Error('McpStdioServerDefinition made no definition');
      return d;
    },
  };
}

export const MCP_SERVER_LABEL = 'Sandlot';

/** Registers the provider where VS Code has the API; returns what undoes it (nothing to undo elsewhere). */
export function registerMcpServer(cli: () => CliCommand, secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): vscode.Disposable {
  const api = mcpApi();
  if (!api) {
    log.info(
      `MCP: VS Code ${vscode.version} has no MCP server definition API (1.101 and later do); Sandlot's MCP server is not offered (see docs/mcp.md for mcp.json)`,
    );
    return { dispose: () => undefined };
  }
  const changed = new vscode.EventEmitter<void>();
  const watching = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(MCP_ENABLED_SETTING) || e.affectsConfiguration('sandlot.cli.path') || e.affectsConfiguration('sandlot.agent.url'))
      changed.fire();
  });
  const watchingToken = secrets.onDidChange((e) => (e.key === TOKEN_SECRET ? changed.fire() : undefined));
  let registration: vscode.Disposable;
  try {
    registration = api.register(MCP_PROVIDER_ID, {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: async () => {
        if (!vscode.workspace.getConfiguration().get<boolean>(MCP_ENABLED_SETTING, true)) {
          log.info(`MCP: not offering the server (${MCP_ENABLED_SETTING} is off)`);
          return [];
        }
        try {
          const { command, args, env } = await serverCommand(cli(), secrets);
          log.info(`MCP: offering the Sandlot MCP server: ${[command, ...args].join(' ')}`);
          return [api.define(MCP_SERVER_LABEL, command, args, env, version)];
        } catch (err) {
          log.warn(`MCP: cannot offer the server: ${errorMessage(err)}`);
          return [];
        }
      },
      resolveMcpServerDefinition: (server) => server,
    });
  } catch (err) {
    // A VS Code whose API is there but refuses this extension (a proposed-API build): say so, carry on.
    log.warn(`MCP: cannot register the MCP server definition provider: ${errorMessage(err)}`);
    return vscode.Disposable.from(changed, watching, watchingToken);
  }
  log.info(`MCP: server definition provider ${MCP_PROVIDER_ID} registered (VS Code ${vscode.version})`);
  return vscode.Disposable.from(registration, changed, watching, watchingToken);
}

/** `sandlot mcp` as VS Code should start it: the CLI's Node and script, and the agent the extension uses. */
async function serverCommand(cli: CliCommand, secrets: vscode.SecretStorage): Promise<{ command: string; args: string[]; env: Record<string, string> }> {
  const [command, ...nodeArgs] = cli.node;
  const args = [...nodeArgs, cli.script];
  const env: Record<string, string> = {};
  const url = vscode.workspace.getConfiguration('sandlot').get<string>('agent.url')?.trim();
  if (url) {
    args.push('--agent', url);
    // In the environment, not the arguments: other users of the host can read a process's arguments.
    const token = await secrets.get(TOKEN_SECRET);
    if (token) env.SANDLOT_TOKEN = token;
  }
  // The local agent is found through $SANDLOT_HOME, as the extension finds it.
  if (process.env.SANDLOT_HOME) env.SANDLOT_HOME = process.env.SANDLOT_HOME;
  return { command, args: [...args, 'mcp'], env };
}
