// The benchmarks that measure through a real VS Code run inside one e2e session
// (agent + code-server + Chromium); its screenshots and logs go to a temp dir that is
// removed afterwards, as are the session's playgrounds.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { E2eSession } from '../test/e2e/harness/session';

export async function withWorkbench(name: string, settings: Record<string, unknown>, fn: (session: E2eSession) => Promise<void>): Promise<void> {
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), `sandlot-bench-${name}-shots-`));
  const session = await E2eSession.start({ name: `bench-${name}`, artifacts: shots, settings });
  try {
    await fn(session);
  } finally {
    await session.close();
    fs.rmSync(shots, { recursive: true, force: true });
  }
}
