// `sandlot manifest check|schema` as a user runs them: no agent, bases from the built-in
// templates and $SANDLOT_HOME/templates, one line per problem naming file and field,
// warnings on stderr, the effective manifest with --print.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, REPO, tempHome } from '../../../helpers/agent-process';

const home = tempHome('sandlot-manifest-check-');
const env = { ...process.env, SANDLOT_HOME: home, SANDLOT_AGENT_URL: 'http://127.0.0.1:9' };
const every = path.join(REPO, 'test/fixtures/manifests/every-field.playground.yaml');

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('sandlot manifest check', () => {
  it('validates without an agent and says what the playground will be', () => {
    const r = cli(env, ['manifest', 'check', every]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${every}: ok\n`);
    expect(r.stdout).toMatch(/machine gateway: image linux \(for ubuntu-24-04: Debian 12 stands in for Ubuntu/);
    expect(r.stdout).toContain('eth0 10.30.1.10/24 (front), eth1 10.30.2.1/24 (back); backend firecracker; kernel 6.1');
  });

  it('refuses bad manifests with one line per problem and exit code 1', () => {
    const file = path.join(home, 'bad.playground.yaml');
    fs.writeFileSync(
      file,
      'kind: playground\nname: bad\nplayground:\n  machines:\n    - { name: a, drives: [{ source: alpine, mount: / }] }\n    - { name: a }\n',
    );
    const r = cli(env, ['manifest', 'check', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`sandlot: ${file}: playground.machines[0].drives[0].source: unknown image "alpine": this host can build linux, docker, zig, k3s`),
      `${file}: playground.machines[1].name: duplicate machine name "a" (also playground.machines[0])`,
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(cli(env, ['manifest', 'check', path.join(home, 'missing.yaml')]).stderr).toBe(`sandlot: ${path.join(home, 'missing.yaml')}: no such file\n`);
  });

  it("takes bases from the user's templates too, and prints warnings and the effective manifest", () => {
    fs.mkdirSync(path.join(home, 'templates'), { recursive: true });
    fs.writeFileSync(
      path.join(home, 'templates', 'duo.yaml'),
      'kind: playground\nname: duo\ntitle: Duo\nplayground:\n  machines: [{ name: left, image: docker }, { name: right }]\n',
    );
    const file = path.join(home, 'mine.playground.yaml');
    fs.writeFileSync(
      file,
      'kind: playground\nname: mine\nbase: duo\nplayground:\n  machines: [{ name: right, image: zig, drives: [{ source: linux, mount: / }] }]\n',
    );
    const r = cli(env, ['manifest', 'check', '--print', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`${file}: warning: playground.machines[0].image: "zig" is ignored: drives[0].source "linux" (the iximiuz form) wins\n`);
    const effective: unknown = parse(r.stdout);
    expect(effective).toMatchObject({
      base: 'flexbox',
      title: 'Duo',
      playground: { machines: [{ name: 'right', drives: [{ source: 'linux', mount: '/' }] }] },
    });
    // The effective manifest checks clean on its own.
    fs.writeFileSync(path.join(home, 'effective.yaml'), r.stdout);
    expect(cli(env, ['manifest', 'check', path.join(home, 'effective.yaml')]).code).toBe(0);
  });

  it('prints the JSON Schema the extension ships', () => {
    const r = cli(env, ['manifest', 'schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(REPO, 'schemas/playground-manifest.schema.json'), 'utf8'));
  });
});
