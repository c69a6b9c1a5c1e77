// Runs one command on an open ssh2 connection and collects what it printed. Shared by
// the tests' own ways into machines (through the agent tunnel, or straight to a driver).
import type { Client } from 'ssh2';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function execOn(client: Client, command: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 180_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no result in ${timeoutMs} ms for: ${command}`)), timeoutMs);
    client.exec(command, (err, ch) => {
      if (err) return (clearTimeout(timer), reject(err));
      let stdout = '';
      let stderr = '';
      ch.on('data', (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // 'close' comes after the last data and carries the exit code.
      ch.on('close', (code: number | null) => {
        clearTimeout(timer);
        resolve({ code: code ?? null, stdout, stderr });
      });
      if (opts.stdin !== undefined) ch.end(opts.stdin);
    });
  });
}
