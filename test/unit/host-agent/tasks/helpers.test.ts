// The helper library, run by real shells: bash (the default) and dash (machines without
// bash). The Docker helpers are checked against a real engine inside a docker-driver
// playground (test/integration/host-agent/tasks/task-helpers-docker.test.ts). Podman,
// nerdctl and containerd's ctr are not installed on this host, so their helpers run here
// against stand-in commands that print what those tools print and log how they were called.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELPER_LIBRARY, HELPER_NAMES, IXIMIUZ_HELPERS, SANDLOT_HELPERS } from '../../../../host-agent/tasks/helpers';
import { buildProgram } from '../../../../host-agent/tasks/program';

function sh(shell: string, script: string, env: NodeJS.ProcessEnv = process.env): { code: number; out: string } {
  const r = spawnSync(shell, ['-c', buildProgram(script, { GREETING: "it's me" })], { encoding: 'utf8', env });
  return { code: r.status ?? -1, out: r.stdout };
}

const stubs = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-helpers-test-'));
afterAll(() => fs.rmSync(stubs, { recursive: true, force: true }));

/** A stand-in command: logs its arguments, then prints what the real tool prints for them. */
function stub(name: string, body: string): void {
  fs.writeFileSync(path.join(stubs, name), `#!/bin/sh\necho "${name} $*" >> "$STUB_LOG"\n${body}\n`, { mode: 0o755 });
}

// podman and nerdctl answer `inspect --format` like docker (Go templates on the same fields).
for (const tool of ['podman', 'nerdctl']) {
  stub(
    tool,
    `case "$*" in
  "inspect --format {{.Name}} web") echo web ;;
  "inspect --format {{.State.Pid}} web") echo 4242 ;;
  "inspect --format {{.NetworkSettings.IPAddress}} web") echo 10.88.0.7 ;;
  "inspect --format {{.State.Running}} web") echo true ;;
  "inspect --format {{.State.Running}} gone") echo "Error: no such container gone" >&2; exit 125 ;;
  "inspect --format {{.State.ExitCode}} web") echo 0 ;;
  "ps -aq") printf 'aaa\\nbbb\\nccc\\n' ;;
  "ps -q") printf 'aaa\\nbbb\\n' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`,
  );
}
stub(
  'ctr',
  `case "$*" in
  "tasks ps web") printf 'PID     INFO\\n31337   -\\n' ;;
  "tasks list") printf 'TASK    PID      STATUS\\nweb     31337    RUNNING\\nold     0        STOPPED\\ndb      4000     RUNNING\\n' ;;
  "containers list -q") printf 'web\\nold\\ndb\\n' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`,
);
stub('lsns', `[ "$*" = "-p 31337 -t net --nowrap --noheadings" ] && echo "4026532281 net 3 31337 root /pause" || exit 1`);
// sudo runs the command after its options, as the real one does with NOPASSWD.
stub('sudo', `[ "$1" = -n ] && shift; exec "$@"`);
// A normal user, so the helpers go through sudo.
const asUser = path.join(stubs, 'as-user');
fs.mkdirSync(asUser);
fs.writeFileSync(path.join(asUser, 'id'), '#!/bin/sh\n[ "$1" = -u ] && { echo 1000; exit 0; }\nexec /usr/bin/id "$@"\n', { mode: 0o755 });

function withStubs(shell: string, script: string, user = false): { code: number; out: string; log: string[] } {
  const log = path.join(stubs, `log-${process.hrtime.bigint()}`);
  fs.writeFileSync(log, '');
  const r = sh(shell, script, { ...process.env, STUB_LOG: log, PATH: `${user ? `${asUser}:` : ''}${stubs}:${process.env.PATH}` });
  return { ...r, log: fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

describe('helper library', () => {
  it('defines every helper iximiuz Labs documents, and the Sandlot extras', () => {
    const tools = { docker: 11, podman: 7, nerdctl: 7, ctr: 5 };
    for (const [tool, n] of Object.entries(tools))
      expect(
        IXIMIUZ_HELPERS.filter((h) => h.startsWith(`${tool}_`)),
        tool,
      ).toHaveLength(n);
    expect(IXIMIUZ_HELPERS).toEqual(
      expect.arrayContaining([
        'docker_container_pid',
        'docker_container_ip',
        'docker_container_count_total',
        'docker_image_size_bytes',
        'podman_container_count_running',
        'nerdctl_container_exit_code',
        'ctr_container_netns',
      ]),
    );
    expect(SANDLOT_HELPERS).toEqual(expect.arrayContaining(['docker_container_exists', 'port_is_listening', 'process_is_running', 'file_contains', 'http_ok']));
    expect(new Set(HELPER_NAMES).size).toBe(HELPER_NAMES.length);
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
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      try {
        expect(sh(shell, `port_is_listening ${port}`).code).toBe(0);
      } finally {
        server.close();
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(sh(shell, `port_is_listening ${port}`).code).toBe(1);
    });

    for (const tool of ['podman', 'nerdctl']) {
      it(`${tool}_* under ${shell}: same commands and output as iximiuz Labs' helpers`, () => {
        const r = withStubs(
          shell,
          `${tool}_container_name web; ${tool}_container_pid web; ${tool}_container_ip web; ${tool}_container_exit_code web
${tool}_container_count_total; ${tool}_container_count_running
${tool}_container_is_running web && echo running; ${tool}_container_is_running gone || echo not-running`,
        );
        expect(r.out).toBe('web\n4242\n10.88.0.7\n0\n3\n2\nrunning\nnot-running\n');
        // As root, no sudo.
        expect(r.log.filter((l) => l.startsWith('sudo'))).toEqual([]);
        expect(r.log[0]).toBe(`${tool} inspect --format {{.Name}} web`);
        // As a normal user, through sudo without a prompt.
        const u = withStubs(shell, `${tool}_container_pid web`, true);
        expect(u.out).toBe('4242\n');
        expect(u.log).toEqual([`sudo -n ${tool} inspect --format {{.State.Pid}} web`, `${tool} inspect --format {{.State.Pid}} web`]);
      });
    }

    it(`ctr_* under ${shell}: same commands and output as iximiuz Labs' helpers`, () => {
      const r = withStubs(
        shell,
        `ctr_container_pid web; ctr_container_netns web; ctr_container_count_total; ctr_container_count_running
ctr_container_is_running web && echo running; ctr_container_is_running old || echo not-running`,
      );
      expect(r.out).toBe('31337\n4026532281\n3\n2\nrunning\nnot-running\n');
    });
  }

  it('sources the helpers content puts in /opt/iximiuz-labs/examiner/checks.d', () => {
    // The library's loop, pointed at a folder of ours (the real path needs root to create).
    const dir = path.join(stubs, 'checks.d');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'mine.sh'), 'my_check() { echo "mine: $1"; }\n');
    const lib = HELPER_LIBRARY.replace('/opt/iximiuz-labs/examiner/checks.d/*', `${dir}/*`);
    expect(lib).not.toBe(HELPER_LIBRARY);
    for (const shell of ['bash', 'dash']) expect(execFileSync(shell, ['-c', `${lib}\nmy_check ok`], { encoding: 'utf8' })).toBe('mine: ok\n');
  });
});
