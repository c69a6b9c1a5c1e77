// The task benchmarks' stand-in for a machine's SSH server: the tests' loopback sshd
// (test/helpers/loopback-sshd.ts) with room for the benchmarks' parallel checks.
import { startLoopbackSshd } from '../test/helpers/loopback-sshd';

export interface BenchSshd {
  port: number;
  userKey: string;
  hostPub: string;
  dir: string;
  stop(): void;
}

export async function startSshd(): Promise<BenchSshd> {
  const sshd = await startLoopbackSshd({ config: ['MaxSessions 20'] });
  return { port: sshd.port, dir: sshd.dir, userKey: sshd.key('user'), hostPub: sshd.key('host.pub'), stop: () => sshd.stop() };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
