// Runs one solution chunk in a machine over SSH (through the agent's tunnel, as every
// client does) with the control channel of control.ts: requests the script makes are
// answered one at a time, in order, while its output is kept for the report.
import type { Client } from 'ssh2';
import { remoteCommand, tail } from '../../tasks/runner';
import { ControlParser, type ControlRequest } from './control';

export interface StepOutcome {
  /** null: killed (timeout, lost connection). */
  code: number | null;
  /** stdout and stderr as they came, tail. */
  output: string;
  /** Set when the step did not finish on its own (timeout, connection lost). */
  error?: string;
}

/** Output kept per step: enough to see which command failed and why. */
const OUTPUT_TAIL = 8 * 1024;

export function runStep(
  ssh: Client,
  program: string,
  nonce: string,
  answer: (req: ControlRequest) => Promise<string>,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<StepOutcome> {
  return new Promise((resolve) => {
    let output = '';
    const keep = (text: string) => (output = tail(output + text, OUTPUT_TAIL));
    let settled = false;
    let channel: import('ssh2').ClientChannel | undefined;
    const done = (o: StepOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ...o, output: tail(o.output, OUTPUT_TAIL) });
    };
    const kill = (why: string) => {
      channel?.close();
      done({ code: null, output, error: why });
    };
    const onAbort = () => kill('stopped');
    const timer = setTimeout(() => kill(`did not finish within ${Math.round(opts.timeoutMs / 1000)} s`), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort);
    ssh.exec(remoteCommand(program), (err, ch) => {
      if (err) return done({ code: null, output, error: `cannot run it: ${err.message}` });
      channel = ch;
      const parser = new ControlParser(nonce);
      // Requests are answered in order: the script waits for each answer before it goes on.
      let answering = Promise.resolve();
      ch.on('data', (d: Buffer) => {
        for (const e of parser.feed(d.toString('utf8'))) {
          if (e.type === 'output') keep(e.text);
          else if (e.type === 'bad-request') {
            keep(`[content test] ${e.error}\n`);
            answering = answering.then(() => void ch.write(`fail ${e.error}\n`));
          } else {
            const req = e.request;
            answering = answering.then(async () => {
              const reply = await answer(req).catch((x: unknown) => `fail ${x instanceof Error ? x.message : String(x)}`);
              keep(`[content test] examinerctl task ${req.verb} ${req.task}: ${reply}\n`);
              if (!settled) ch.write(`${reply.replace(/\n/g, ' ')}\n`);
            });
          }
        }
      });
      ch.stderr.on('data', (d: Buffer) => keep(d.toString('utf8')));
      let code: number | null = null;
      ch.on('exit', (c: number | null) => (code = c));
      ch.on('close', () => {
        keep(parser.flush());
        done({ code, output, ...(code === null ? { error: 'the connection closed before the script finished' } : {}) });
      });
    });
  });
}
