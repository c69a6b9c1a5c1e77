// What the MCP registration contributes to the extension manifest: the server definition
// provider VS Code 1.101+ asks for Sandlot's MCP server (`sandlot mcp`), and the setting
// that turns it off. VS Code 1.100 ignores the contribution point it does not know.
import type { FeatureManifest } from '../manifest/schema';

export const MCP_PROVIDER_ID = 'sandlot.mcp';
export const MCP_ENABLED_SETTING = 'sandlot.mcp.enabled';

export const MCP_MANIFEST: FeatureManifest<never> = {
  commands: {},
  mcpServerDefinitionProviders: [{ id: MCP_PROVIDER_ID, label: 'Sandlot playgrounds' }],
  settings: {
    [MCP_ENABLED_SETTING]: {
      type: 'boolean',
      default: true,
      markdownDescription:
        "Offer Sandlot's MCP server (`sandlot mcp`) to agent mode, so AI tools can start throw-away playgrounds and work in their machines (VS Code 1.101 and later). Off: the server is not offered; `.vscode/mcp.json` entries still work.",
    },
  },
};
