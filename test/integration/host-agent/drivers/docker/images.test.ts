// Images on a real engine: a changed recipe gets a new tag and is rebuilt while an
// unchanged one is reused; the zig image compiles and runs a program; the k3s image
// refuses to build without a k3s binary, saying what to provide, before making anything.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { BUILTIN_RECIPES } from '../../../../../host-agent/images/catalog';
import { DockerImageBuilder } from '../../../../../host-agent/images/docker-builder';
import type { Recipe } from '../../../../../host-agent/images/recipe';
import { loadTemplate, makePlayground, manifestFrom, recordingContext, sshExec, startTestEngine, type TestEngine, type TestPlayground } from './helpers';

describe('docker images', () => {
  let engine: TestEngine;
  let driver: DockerDriver;
  let stateHome: string;
  const made: TestPlayground[] = [];
  const ctx = recordingContext();
  const extraTags: string[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-test-'));
    driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    await driver.images.ensure('linux');
  }, 900_000);

  afterAll(async () => {
    for (const pg of made) await driver.destroy(pg.spec, ctx).catch(() => {});
    for (const tag of extraTags)
      await engine.docker
        .getImage(tag)
        .remove()
        .catch(() => {});
    await engine?.stop();
    if (stateHome) fs.rmSync(stateHome, { recursive: true, force: true });
  }, 120_000);

  it('rebuilds a changed recipe under a new tag and reuses an unchanged one', async () => {
    const marker = `v-${process.pid}-${Date.now()}`;
    const layer = (script: string): Recipe => ({ name: 'probe', description: 'test layer', parent: 'linux', script });
    const builderWith = (r: Recipe) =>
      new DockerImageBuilder(engine.docker, { cacheDir: path.join(stateHome, 'images'), catalog: new Map([...BUILTIN_RECIPES, ['probe', r]]) });

    const first = builderWith(layer(`echo ${marker}-1 > /etc/probe`));
    const messages: string[] = [];
    const tag1 = await first.ensure('probe', (_, m) => messages.push(m));
    extraTags.push(tag1);
    expect(messages.some((m) => m.startsWith(`building ${tag1}`))).toBe(true);
    // linux was already built: only the probe layer was.
    expect(messages.some((m) => m.startsWith('building sandlot/linux'))).toBe(false);

    const again: string[] = [];
    expect(await builderWith(layer(`echo ${marker}-1 > /etc/probe`)).ensure('probe', (_, m) => again.push(m))).toBe(tag1);
    expect(again).toEqual([]);

    const tag2 = await builderWith(layer(`echo ${marker}-2 > /etc/probe`)).ensure('probe');
    extraTags.push(tag2);
    expect(tag2).not.toBe(tag1);
    const labels = (await engine.docker.getImage(tag2).inspect()).Config.Labels;
    expect(tag2.endsWith(labels['sandlot.recipe-hash'].slice(0, 12))).toBe(true);

    const list = await first.list();
    expect(list.find((i) => i.name === 'probe')).toMatchObject({ tag: tag1, built: true });
  }, 300_000);

  it('builds a missing image on the first create, reporting progress as steps', async () => {
    const probe: Recipe = { name: 'probe', description: 'test layer', parent: 'linux', script: `echo first-use-${process.pid}-${Date.now()} > /etc/probe` };
    const d = new DockerDriver({ stateHome, dockerHost: engine.dockerHost, images: { catalog: new Map([...BUILTIN_RECIPES, ['probe', probe]]) } });
    const pg = makePlayground(
      manifestFrom('kind: playground\nname: probe\nplayground:\n  machines:\n    - { name: dev, image: probe }\n'),
      path.join(stateHome, 'playgrounds'),
    );
    made.push(pg);
    const rec = recordingContext();
    await d.create(pg.spec, rec);
    extraTags.push((await d.images.resolve('probe')).tag);
    const imageSteps = rec.steps.filter((s) => s.startsWith('image probe'));
    expect(imageSteps[0]).toMatch(/^image probe started: building sandlot\/probe:[0-9a-f]{12}/);
    expect(imageSteps.some((s) => /^image probe started: probe: Step \d+\/\d+ : RUN/.test(s))).toBe(true);
    expect(imageSteps.at(-1)).toMatch(/^image probe done: sandlot\/probe:/);
    // Only the missing image was built: linux and the registry were reused.
    expect(rec.steps.some((s) => s.startsWith('image linux') || s.startsWith('image registry'))).toBe(false);
    expect((await sshExec(d, pg, 'dev', 'root', 'cat /etc/probe')).stdout).toBe(`${probe.script!.split(' ')[1]}\n`);
  }, 300_000);

  it('zig template: `zig run` works for laborant', async () => {
    await driver.images.ensure('zig');
    const pg = makePlayground(loadTemplate('zig'), path.join(stateHome, 'playgrounds'));
    made.push(pg);
    await driver.create(pg.spec, ctx);
    const r = await sshExec(driver, pg, 'dev', 'laborant', 'cd ~ && zig version && zig run hello.zig', 240_000);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['0.11.0', 'Hello from Zig 0.11.0!']);
  }, 600_000);

  it('k3s template without a k3s binary fails with what to provide, and makes nothing', async () => {
    const saved = { ...process.env };
    delete process.env.SANDLOT_K3S_BINARY;
    delete process.env.SANDLOT_K3S_URL;
    delete process.env.SANDLOT_K3S_SHA256;
    try {
      const pg = makePlayground(loadTemplate('k3s'), path.join(stateHome, 'playgrounds'));
      const err = await driver.create(pg.spec, ctx).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(
        /the k3s image needs a k3s binary \(linux\/amd64\).*SANDLOT_K3S_BINARY=\/path\/to\/k3s.*SANDLOT_K3S_URL=.*SANDLOT_K3S_SHA256=/,
      );
      const filters = JSON.stringify({ label: [`sandlot.playground=${pg.spec.id}`] });
      expect(await engine.docker.listContainers({ all: true, filters })).toEqual([]);
      expect(await engine.docker.listNetworks({ filters })).toEqual([]);
      expect((await driver.doctor()).checks.find((c) => c.name === 'image k3s')).toMatchObject({ ok: false });
    } finally {
      process.env = saved;
    }
  });
});
