// The test's own way into a machine: real SSH through the agent tunnel (the same path
// OpenSSH's ProxyCommand takes), independent of the extension under test.
import type { AgentClient } from '../../../host-agent/api/client';
import { connectMachine } from '../../../host-agent/ssh/connect';
import { execOn, type ExecResult } from '../../helpers/ssh-exec';

export async function sshRun(client: AgentClient, playground: string, machine: string, command: string): Promise<ExecResult> {
  const ssh = await connectMachine(client, await client.get(playground), machine);
  try {
    return await execOn(ssh, command);
  } finally {
    ssh.end();
  }
}
