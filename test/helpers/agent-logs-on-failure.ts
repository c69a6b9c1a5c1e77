// Setup file of the suites that start real agents: a failing test carries the tails of the
// logs of the agents its file started, as one more error in the failure summary (CI keeps
// only the end of the test output). A start that hangs or fails is explained by what its
// agent logged: each step's start and end.
import { beforeEach } from 'vitest';
import { agentLogTails } from './agent-process';

beforeEach(({ onTestFailed }) => {
  onTestFailed(({ task }) => {
    const tails = agentLogTails();
    if (tails) task.result?.errors?.push({ name: 'AgentLog', message: `the agents' logs when the test failed:\n${tails}` });
  });
});
