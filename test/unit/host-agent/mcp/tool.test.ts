import { describe, expect, it } from 'vitest';
import { AgentApiError } from '../../../../host-agent/api/client';
import { oneLine, ToolError } from '../../../../host-agent/mcp/session';
import { describeArgs, modelMessage } from '../../../../host-agent/mcp/tool';

describe('what a tool call logs and answers', () => {
  it('shortens long string arguments in the log line', () => {
    const line = describeArgs({ playground: 'pg-1', content: 'x'.repeat(500) });
    expect(line).toBe(`{"playground":"pg-1","content":"${'x'.repeat(100)}… (500 chars)"}`);
  });

  it('flattens control characters so a line cannot forge another', () => {
    expect(oneLine('ok\n2026-01-01 error forged\r\u0007')).toBe('ok 2026-01-01 error forged');
    expect(oneLine('a'.repeat(20), 10)).toBe(`${'a'.repeat(9)}…`);
  });

  it("passes the agent's and its own messages on as they are, and says when an error was unexpected", () => {
    expect(modelMessage(new ToolError("machine 'x' not found in pg-1; machines: dev"))).toBe("machine 'x' not found in pg-1; machines: dev");
    expect(modelMessage(new AgentApiError(404, 'template_not_found', 'no template "nope" (templates: linux)'))).toBe('no template "nope" (templates: linux)');
    expect(modelMessage(new TypeError('x is undefined\n    at foo (bar.js:1:1)'))).toBe('unexpected error: x is undefined at foo (bar.js:1:1)');
  });
});
