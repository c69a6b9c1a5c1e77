// Runs task programs on this host with bash. For tests and for checking content
// scripts without a playground; the agent uses the SSH runner. `machine` and `user` are
// only recorded: everything runs as the current user.
import { spawn } from 'node:child_process';
import { OUTPUT_LIMIT, tail, type ScriptRequest, type ScriptResult, type ScriptRunner } from './runner';

export class LocalRunner implements ScriptRunner {
  readonly calls: { machine: string; user: string }[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  run(req: ScriptRequest): Promise<ScriptResult> {
    this.calls.push({ machine: req.machine, user: req.user });
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', req.program, 'sandlot-task'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      // Kill the whole process group: a script's children would otherwise outlive it.
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, req.timeoutMs);
      req.signal?.addEventListener('abort', kill, { once: true });
      child.stdout.on('data', (d: Buffer) => (stdout = tail(stdout + d.toString('utf8'), OUTPUT_LIMIT)));
      child.stderr.on('data', (d: Buffer) => (stderr = tail(stderr + d.toString('utf8'), OUTPUT_LIMIT)));
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr, error: err.message });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', kill);
        resolve({ code: timedOut ? null : code, stdout, stderr, ...(timedOut ? { timedOut } : {}) });
      });
    });
  }
}
