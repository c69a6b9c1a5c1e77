// `POST …/exec`: runs one command in a machine over the agent's own SSH connection to
// it (the playground key, the machine's verified host key) and streams the output back
// as newline-delimited JSON chunks.
import type { ServerResponse } from 'node:http';
import type { BodyOf, ExecChunk } from '../api/protocol';
import type { PlaygroundManager } from '../playgrounds/manager';
import { shellQuote } from '../util/shell-quote';
import { loginToMachine } from './machine-ssh';

export async function execInMachine(manager: PlaygroundManager, id: string, machine: string, body: BodyOf<'exec'>, res: ServerResponse): Promise<void> {
  const { client } = await loginToMachine(manager, id, machine, body.user);
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const send = (c: ExecChunk) => res.write(`${JSON.stringify(c)}\n`);
  const env = Object.entries(body.env ?? {})
    .map(([k, v]) => `export ${k}=${shellQuote(v)}; `)
    .join('');
  const command = body.timeoutSeconds ? `${env}exec timeout ${Math.ceil(body.timeoutSeconds)} bash -c ${shellQuote(body.command)}` : `${env}${body.command}`;
  await new Promise<void>((resolve) => {
    client.exec(command, (err, stream) => {
      if (err) {
        send({ type: 'error', message: err.message });
        return resolve();
      }
      stream.on('data', (d: Buffer) => send({ type: 'stdout', data: d.toString('base64') }));
      stream.stderr.on('data', (d: Buffer) => send({ type: 'stderr', data: d.toString('base64') }));
      let code: number | null = null;
      let signal: string | undefined;
      stream.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s ?? undefined;
      });
      stream.on('close', () => {
        send({ type: 'exit', code, signal });
        resolve();
      });
      res.on('close', () => stream.close());
    });
  });
  client.end();
  res.end();
}
