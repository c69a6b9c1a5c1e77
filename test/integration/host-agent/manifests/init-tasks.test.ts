// A manifest's init conditions and init tasks on a real agent (sandbox driver) through the
// CLI: `start -f … -i key=value` runs the tasks whose conditions match, as their user, in
// needs order, each a progress step; a bad value is refused before anything starts; a
// failing task fails the start with its name and output, and the machines stay reachable
// for a look. `sandlot manifest <playground>` prints the effective manifest, which starts
// an equivalent playground.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { destroyAllAndStop, cli, startAgent, type AgentHandle } from '../../../helpers/agent-process';
import { sshRun } from '../../../e2e/harness/machine';

let agent: AgentHandle;
let file: string;

const MANIFEST = `kind: playground
name: provisioned
title: Provisioned by init tasks
playground:
  machines:
    - name: app
      users: [{ name: laborant, default: true }, { name: root }]
    - name: db
  networks:
    - { name: lab, subnet: 10.44.0.0/24 }
  initConditions:
    values:
      - key: size
        default: small
        options: [small, large]
      - key: greeting
        default: hello
        validationRegex: "^[a-z]+$"
  initTasks:
    init_db:
      init: true
      machine: db
      run: echo "db ready" | tee /root/db.txt
    init_app:
      init: true
      machine: app
      user: laborant
      needs: [init_db]
      env: ["FROM_DB=x(.needs.init_db.stdout)"]
      run: echo "$(id -un) $FROM_DB" > ~/app.txt
    init_large:
      init: true
      machine: app
      conditions: [{ key: size, value: large }]
      run: touch /tmp/large
`;

/** The record a `--json` start printed, read again from the agent (typed). */
const started = (stdout: string): Promise<PlaygroundRecord> => agent.client.get(z.object({ id: z.string() }).parse(JSON.parse(stdout)).id);

beforeAll(async () => {
  agent = await startAgent();
  file = path.join(agent.home, 'provisioned.playground.yaml');
  fs.writeFileSync(file, MANIFEST);
});

afterAll(async () => {
  await destroyAllAndStop(agent);
});

describe('init tasks and conditions', () => {
  it('run the matching tasks as their users, in needs order, each a progress step', async () => {
    const r = cli(agent, ['start', '-f', file, '-i', 'size=large', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/init task init_db[\s\S]*init task init_app/);
    const pg = await started(r.stdout);
    expect((await sshRun(agent.client, pg.id, 'db', 'cat /root/db.txt')).stdout).toBe('db ready\n');
    expect((await sshRun(agent.client, pg.id, 'app', 'cat /home/laborant/app.txt; stat -c %U /tmp/large')).stdout).toBe('laborant db ready\nroot\n');
  });

  it('skip tasks whose conditions do not match', async () => {
    const pg = await started(cli(agent, ['start', '-f', file, '--json']).stdout);
    expect((await sshRun(agent.client, pg.id, 'app', 'test -e /tmp/large && echo large || echo small')).stdout).toBe('small\n');
  });

  it('refuse values outside the options or the regex, and unknown keys, before anything starts', async () => {
    const before = (await agent.client.list()).length;
    const r = cli(agent, ['start', '-f', file, '-i', 'size=huge', '-i', 'greeting=Hi!', '-i', 'colour=red']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('init condition size: expected one of small, large, got "huge"');
    expect(r.stderr).toContain('init condition greeting: expected a value matching ^[a-z]+$, got "Hi!"');
    expect(r.stderr).toContain('init condition colour: unknown (expected one of size, greeting)');
    expect(cli(agent, ['start', '-f', file, '-i', 'novalue']).stderr).toBe('sandlot: -i novalue: expected key=value\n');
    expect(await agent.client.list()).toHaveLength(before);
  });

  it('fail the start with the task name and the tail of its output, leaving the machines to inspect', async () => {
    const broken = path.join(agent.home, 'broken.playground.yaml');
    fs.writeFileSync(
      broken,
      'kind: playground\nname: broken\nplayground:\n  machines: [{ name: m }]\n  initTasks:\n    init_fail: { init: true, run: "echo clue > /root/clue; echo it broke >&2; exit 3" }\n',
    );
    const r = cli(agent, ['start', '-f', broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/init task "init_fail" on m exited with code 3:\s*it broke/);
    const pg = (await agent.client.list()).find((p) => p.template === 'broken')!;
    expect(pg.state).toBe('failed');
    expect((await sshRun(agent.client, pg.id, 'm', 'cat /root/clue')).stdout).toBe('clue\n');
  });

  it('print the effective manifest, which starts an equivalent playground', async () => {
    const first = await started(cli(agent, ['start', '-f', file, '--json']).stdout);
    const shown = cli(agent, ['manifest', first.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^# /);
    const effective = path.join(agent.home, 'effective.yaml');
    fs.writeFileSync(effective, shown.stdout);
    const second = await started(cli(agent, ['start', '-f', effective, '--json']).stdout);
    const view = (p: PlaygroundRecord) =>
      p.machines.map((m) => ({ name: m.name, users: m.users, defaultUser: m.defaultUser, address: m.address, resources: m.resources }));
    expect(view(second)).toEqual(view(first));
    expect(cli(agent, ['manifest', second.id]).stdout.split('\n').slice(1)).toEqual(shown.stdout.split('\n').slice(1));
  });
});
