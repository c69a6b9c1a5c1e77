// Connecting to a unix socket another process serves (QEMU's QMP and control ports): a
// socket file whose owner is wedged accepts nothing and would hang us without a timeout.
import * as net from 'node:net';

/**
 * Connects to `socketPath` within `timeoutMs`. Errors read "<what> <socketPath>: …" and are
 * made by `makeError`, so a caller keeps its own error class.
 *
 * The connect-time 'error' listener is left on the socket: it covers the moment before the
 * caller attaches its own, and is a no-op once the promise is settled.
 */
export function connectUnixSocket(
  socketPath: string,
  timeoutMs: number,
  what: string,
  makeError: (message: string) => Error = (message) => new Error(message),
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    const timer = setTimeout(() => {
      s.destroy();
      reject(makeError(`${what} ${socketPath}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(makeError(`${what} ${socketPath}: ${err.message}`));
    });
  });
}
