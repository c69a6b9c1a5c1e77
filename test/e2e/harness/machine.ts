// The test's own way into a machine: real SSH through the agent tunnel (the same path
// OpenSSH's ProxyCommand takes), independent of the extension under test.
import type { AgentClient } from '../../../host-agent/api/client';
import { connectMachine } from '../../../host-agent/ssh/connect';

export async function sshRun(client: AgentClient, playground: string, machine: string, command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const record = await client.get(playground);
  const ssh = await connectMachine(client, record, machine);
  try {
    return await new Promise((resolve, reject) =>
      ssh.exec(command, (err, ch) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        ch.on('data', (d: Buffer) => (stdout += d.toString()));
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        ch.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
      }),
    );
  } finally {
    ssh.end();
  }
}
