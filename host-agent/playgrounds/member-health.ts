// Before a warm pool member is handed out: does every machine still answer? A member's
// container can be killed, or its VM's process die or hang, behind the agent's back while
// it waits in the pool; such a member must never become someone's playground. The check
// is the first bytes of each machine's SSH banner through the driver — one connection, no
// login — so it costs milliseconds and proves the machine runs and its sshd serves.
import type { Duplex } from 'node:stream';
import type { Driver, PlaygroundSpec } from '../drivers/protocol';
import { errorMessage } from '../util/errors';

/** How long a machine may take to send its banner (a VM under software emulation forks sshd slowly). */
export const BANNER_TIMEOUT_MS = 5000;

/** Resolves when every SSH-serving machine sends `SSH-`; rejects with one line naming the first that does not. */
export async function checkMachinesAnswer(driver: Pick<Driver, 'connect'>, spec: PlaygroundSpec, timeoutMs = BANNER_TIMEOUT_MS): Promise<void> {
  await Promise.all(
    spec.machines
      .filter((m) => !m.noSSH)
      .map(async (m) => {
        try {
          await sshBanner(await driver.connect(spec, m.name, 22), timeoutMs);
        } catch (err) {
          throw new Error(`machine ${m.name} does not answer: ${errorMessage(err)}`, { cause: err });
        }
      }),
  );
}

function sshBanner(socket: Duplex, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`no SSH banner in ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.length >= 4) done(seen.startsWith('SSH-') ? undefined : new Error(`it sent ${JSON.stringify(seen.slice(0, 20))} instead of an SSH banner`));
    });
    socket.on('error', (err) => done(err));
    socket.once('close', () => done(new Error('the connection closed before the SSH banner')));
  });
}
