// `images prune` on a real Docker engine (the shared test engine). Three versions of a
// test recipe make an old unused tag, an old tag a stopped container was created from,
// and the current tag; a fourth, re-pointed, leaves a dangling labelled build. Removals
// are scoped to the test's own recipe name so other test files' images on the shared
// engine are never touched; the unscoped pass is a dry run (via the CLI as well).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RECIPES } from '../../../../../host-agent/images/catalog';
import { DockerImageBuilder } from '../../../../../host-agent/images/docker-builder';
import { planDockerImages, removeDockerItem } from '../../../../../host-agent/images/prune/docker';
import type { Recipe } from '../../../../../host-agent/images/recipe';
import { cli } from '../../../../helpers/agent-process';
import { parsePruneReport } from './report';
import { startTestEngine, type TestEngine } from '../../drivers/docker/helpers';

describe('images prune on a Docker engine', () => {
  let engine: TestEngine;
  let home: string;
  const name = `prune${process.pid}`;
  const marker = `${Date.now()}`;
  const container = `sandlot-prune-test-${process.pid}`;
  const tags: Record<'unused' | 'used' | 'current' | 'moved' | 'linux', string> = { unused: '', used: '', current: '', moved: '', linux: '' };
  let danglingId = '';

  const builderWith = (version: number) => {
    const recipe: Recipe = { name, description: 'prune test layer', parent: 'linux', script: `echo ${marker}-${version} > /etc/probe` };
    return new DockerImageBuilder(engine.docker, { cacheDir: path.join(home, 'images'), catalog: new Map([...BUILTIN_RECIPES, [name, recipe]]) });
  };
  const exists = async (ref: string) =>
    engine.docker
      .getImage(ref)
      .inspect()
      .then(
        () => true,
        (err: { statusCode?: number }) => {
          if (err.statusCode === 404) return false;
          throw err;
        },
      );

  beforeAll(async () => {
    engine = await startTestEngine();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-prune-docker-'));
    tags.linux = await builderWith(0).ensure('linux');
    tags.unused = await builderWith(1).ensure(name);
    tags.used = await builderWith(2).ensure(name);
    tags.moved = await builderWith(4).ensure(name);
    tags.current = await builderWith(3).ensure(name);
    // Re-pointing a tag (what a forced rebuild does) leaves the old image untagged.
    danglingId = (await engine.docker.getImage(tags.moved).inspect()).Id;
    await engine.docker.getImage(tags.current).tag({ repo: `sandlot/${name}`, tag: tags.moved.split(':')[1] });
    // A playground's machine, stopped: created from the old image, run once, exited.
    const c = await engine.docker.createContainer({ name: container, Image: tags.used, Entrypoint: ['/bin/true'], HostConfig: { NetworkMode: 'none' } });
    await c.start();
    await c.wait();
  }, 900_000);

  afterAll(async () => {
    await engine.docker
      .getContainer(container)
      .remove({ force: true })
      .catch(() => undefined);
    for (const t of [tags.unused, tags.used, tags.current, tags.moved])
      if (t)
        await engine.docker
          .getImage(t)
          .remove()
          .catch(() => undefined);
    if (danglingId)
      await engine.docker
        .getImage(danglingId)
        .remove()
        .catch(() => undefined);
    await engine?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('a dry run names the stale images, keeps the used one, and removes nothing', async () => {
    const { plan } = await planDockerImages(engine.docker, builderWith(3));
    const removed = plan.remove.map((r) => r.name);
    expect(removed).toContain(tags.unused);
    expect(removed).toContain(tags.moved);
    expect(removed).toContain(danglingId);
    expect(removed).not.toContain(tags.current);
    expect(removed).not.toContain(tags.linux);
    expect(removed).not.toContain(tags.used);
    expect(plan.remove.find((r) => r.name === tags.unused)?.why).toBe(`current is ${tags.current}`);
    expect(plan.remove.find((r) => r.name === danglingId)?.why).toBe(`untagged ${name} build`);
    // The re-pointed tag names the current image: removing it frees nothing.
    expect(plan.remove.find((r) => r.name === tags.moved)?.bytes).toBe(0);
    expect(plan.keep).toContainEqual({ driver: 'docker', kind: 'tag', name: tags.used, why: `used by container ${container} (exited)` });

    // The CLI (builtin recipes only: the test recipe is unknown there, so all its tags are old).
    const r = cli({ ...process.env, SANDLOT_HOME: home, DOCKER_HOST: engine.dockerHost }, ['images', 'prune', '--driver', 'docker', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const report = parsePruneReport(r.stdout);
    expect(report.removed).toContainEqual(expect.objectContaining({ name: tags.unused, kind: 'tag', why: `no recipe "${name}" any more` }));
    expect(report.removed.map((i) => i.name)).not.toContain(tags.linux);
    expect(report.kept).toContainEqual(expect.objectContaining({ name: tags.used, why: `used by container ${container} (exited)` }));
    expect(r.stderr).toMatch(/^\[docker\] listing the engine's images and containers$/m);

    for (const t of [tags.unused, tags.used, tags.current, tags.moved, tags.linux, danglingId]) expect(await exists(t), t).toBe(true);
  }, 120_000);

  it('removes the unused old tag and the dangling build, keeps the used and current ones', async () => {
    const prune = await planDockerImages(engine.docker, builderWith(3), { names: [name] });
    expect(prune.plan.remove.map((r) => r.name).sort()).toEqual([danglingId, tags.moved, tags.unused].sort());
    const freed: Record<string, number> = {};
    for (const item of prune.plan.remove) freed[item.name] = await removeDockerItem(engine.docker, prune, item);
    expect(await exists(tags.unused)).toBe(false);
    expect(await exists(danglingId)).toBe(false);
    expect(await exists(tags.moved)).toBe(false);
    // Its own layers (the layer script and what it wrote) were freed.
    expect(freed[tags.unused]).toBeGreaterThan(0);
    expect(freed[tags.unused]).toBe(prune.plan.remove.find((r) => r.name === tags.unused)!.bytes);
    expect(freed[tags.moved]).toBe(0);
    for (const t of [tags.used, tags.current, tags.linux]) expect(await exists(t), t).toBe(true);
    expect((await engine.docker.getContainer(container).inspect()).State.Status).toBe('exited');

    // Nothing left to do but the used one; once its container is gone, it goes too.
    expect((await planDockerImages(engine.docker, builderWith(3), { names: [name] })).plan.remove).toEqual([]);
    await engine.docker.getContainer(container).remove();
    const after = await planDockerImages(engine.docker, builderWith(3), { names: [name] });
    expect(after.plan.remove.map((r) => r.name)).toEqual([tags.used]);
    await removeDockerItem(engine.docker, after, after.plan.remove[0]);
    expect(await exists(tags.used)).toBe(false);
    expect(await exists(tags.current)).toBe(true);
  }, 120_000);
});
