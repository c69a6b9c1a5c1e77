// Sandlot's MCP server in a real VS Code (code-server). Where VS Code has the MCP server
// definition API (1.101+), the extension registers its provider, VS Code lists the server
// and starts it: `sandlot mcp` then opens a session in the agent, which logs it with VS
// Code's client name. On 1.100 the extension activates all the same and says why it
// offers no server.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir } from '../harness/artifacts';
import { hasApi, itWithApi } from '../harness/features';
import { E2eSession } from '../harness/session';
import { waitFor } from '../harness/util';

describe('Sandlot MCP server in VS Code', () => {
  let s: E2eSession;
  const artifacts = artifactsDir('mcp');

  beforeAll(async () => {
    // The test profile turns the AI features off; MCP servers are one of them.
    s = await E2eSession.start({ name: 'mcp', artifacts, settings: { 'chat.disableAIFeatures': false } });
  });

  afterAll(async () => {
    await s?.close();
  });

  const extensionLog = () => {
    const file = s.extensionLog();
    return file ? fs.readFileSync(file, 'utf8') : '';
  };

  itWithApi('mcpServerDefinitionProvider', 'registers the provider; VS Code lists the Sandlot server and starts it', async () => {
    expect(extensionLog()).toMatch(/MCP: server definition provider sandlot\.mcp registered/);
    // VS Code's own list of MCP servers asks the provider for its definitions.
    await s.wb.runCommand('MCP: List Servers');
    await s.wb.pick(/Sandlot/);
    await s.wb.screenshot('server-listed');
    await waitFor('the extension to offer the server', 60_000, () => /MCP: offering the Sandlot MCP server: .*sandlot\.js mcp/.test(extensionLog()));
    await s.wb.pick(/Start Server/);
    // VS Code runs `sandlot mcp`, which opens its session in the agent under VS Code's client name.
    const line = await waitFor('the MCP session in the agent log', 120_000, () => /\[mcp [^\]]+\] session [0-9a-f]{12} started/.exec(s.agent.log())?.[0]);
    await s.wb.screenshot('server-started');
    expect(line).not.toMatch(/unknown-client/);
  });

  it.skipIf(hasApi('mcpServerDefinitionProvider'))('activates without the MCP API and says why no server is offered', async () => {
    await waitFor('the MCP line in the extension log', 60_000, () => /MCP: VS Code 1\.100\.\d+ has no MCP server definition API/.test(extensionLog()));
    expect(extensionLog()).not.toMatch(/MCP: cannot register/);
    // The rest of the extension works: its views are there.
    await s.wb.showViewContainer('Sandlot');
    await s.wb.sideBarRow(/^Linux\s*linux/).waitFor({ state: 'visible', timeout: 60_000 });
  });
});
