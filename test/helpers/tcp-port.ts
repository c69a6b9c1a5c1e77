// TCP ports for tests: the port a server listens on, and one free right now.
import * as net from 'node:net';

export function portOf(server: net.Server): number {
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('the server is not listening on TCP');
  return a.port;
}

/** A port nothing listens on at the moment (taken by the OS, then let go). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = portOf(s);
      s.close(() => resolve(port));
    });
  });
}
