// users[].welcome on a real machine (sandbox driver, the default): an interactive login
// shows the manifest's banner instead of the image's, '-' shows none, and commands run
// over SSH stay clean. Logins go through OpenSSH with the agent's ssh-config.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssh, startAgent, waitForState, writeSshConfig, type AgentHandle } from '../../../helpers/agent-process';

let agent: AgentHandle;
let id: string;
let config: string;

const MANIFEST = `kind: playground
name: welcome
playground:
  machines:
    - name: dev
      users:
        - name: laborant
          default: true
          welcome: |
            Hello from the manifest's welcome.
        - name: root
          welcome: '-'
`;

/** An interactive login shell (a PTY, as a terminal has), typing `input`. */
function login(user: string, input: string): string {
  const r = spawnSync('ssh', ['-F', config, '-o', 'BatchMode=yes', '-tt', `${user}@sandlot--${id}--dev`], { input, encoding: 'utf8', timeout: 60_000 });
  return r.stdout;
}

beforeAll(async () => {
  agent = await startAgent();
  const created = await agent.client.create({ manifest: MANIFEST, manifestName: 'welcome.yaml' });
  id = (await waitForState(agent.client, created.id, 'running')).id;
  config = writeSshConfig(agent, id);
});

afterAll(async () => {
  if (id) await agent.client.destroy(id).catch(() => undefined);
  await agent?.kill();
});

describe('welcome banners', () => {
  it("greet the user with the manifest's text once, instead of the image's", () => {
    const out = login('laborant', 'echo marker-$USER\nbash -ic "echo nested"\nexit\n');
    expect(out.match(/Hello from the manifest's welcome\./g)).toHaveLength(1);
    expect(out).toContain('marker-laborant');
    expect(out).toContain('nested');
    expect(out).not.toMatch(/Debian GNU\/Linux comes with ABSOLUTELY NO WARRANTY|Last login/);
  });

  it("show nothing for '-'", () => {
    const out = login('root', 'echo marker-$USER\nexit\n');
    expect(out).toContain('marker-root');
    expect(out).not.toMatch(/welcome|ABSOLUTELY NO WARRANTY|Last login/);
  });

  it('leave commands over SSH without a banner', () => {
    expect(openssh(config, `sandlot--${id}--dev`, 'echo plain').stdout).toBe('plain\n');
  });
});
