// The helper library, run by real shells: bash (the default) and dash (machines without bash).
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HELPER_LIBRARY, HELPER_NAMES } from '../../../../host-agent/tasks/helpers';
import { buildProgram } from '../../../../host-agent/tasks/program';

function sh(shell: string, script: string): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(shell, ['-c', buildProgram(script, { GREETING: "it's me" })], { encoding: 'utf8' }) };
  } catch (err) {
    return { code: (err as { status: number }).status, out: '' };
  }
}

describe('helper library', () => {
  it('defines the documented helpers', () => {
    expect(HELPER_NAMES).toEqual(
      expect.arrayContaining([
        'docker_container_is_running',
        'docker_container_count_running',
        'docker_image_exists',
        'port_is_listening',
        'process_is_running',
        'file_contains',
      ]),
    );
    expect(HELPER_LIBRARY).not.toMatch(/\[\[/); // POSIX sh only
  });

  for (const shell of ['bash', 'dash']) {
    it(`works under ${shell}`, async () => {
      expect(sh(shell, 'echo "$GREETING"').out).toBe("it's me\n");
      expect(sh(shell, 'file_contains /etc/passwd root:').code).toBe(0);
      expect(sh(shell, 'file_contains /etc/passwd no-such-user-here:').code).toBe(1);
      expect(sh(shell, 'user_exists root').code).toBe(0);
      expect(sh(shell, 'process_is_running no-such-process-name').code).toBe(1);
      expect(sh(shell, 'docker_container_is_running surely-not-a-container').code).not.toBe(0);
      const server = net.createServer().listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const port = (server.address() as net.AddressInfo).port;
      try {
        expect(sh(shell, `port_is_listening ${port}`).code).toBe(0);
      } finally {
        server.close();
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(sh(shell, `port_is_listening ${port}`).code).toBe(1);
    });
  }
});
