// `sandlot images prune`: removes the images the current recipes no longer make — old
// `sandlot/*` tags and dangling build leftovers in the Docker engine, old bases, snapshots,
// rootfs tarballs and kernels in the microvm cache — but never anything a playground
// still uses. Runs where the images live, like `images list|build`: the engine says which
// containers use what; the VM cache plus this SANDLOT_HOME's playgrounds (and the host's
// running processes) say which overlays back onto what.
import * as path from 'node:path';
import type { Command } from 'commander';
import Docker from 'dockerode';
import { engineAddress, pingEngine } from '../../drivers/docker/engine';
import { DriverUnavailableError } from '../../drivers/protocol';
import { BUILTIN_RECIPES } from '../../images/catalog';
import { DockerImageBuilder } from '../../images/docker-builder';
import { planDockerImages, removeDockerItem } from '../../images/prune/docker';
import type { KeptItem, PruneDriver, PruneItem } from '../../images/prune/plan';
import { CacheUnavailableError, planVmCache, removeVmEntry, vmCacheDir } from '../../images/prune/vm';
import { recipeChain } from '../../images/recipe';
import { errorMessage } from '../../util/errors';
import { sandlotHome } from '../../util/paths';
import { CliError, printJson } from '../context';

const DRIVERS = ['docker', 'microvm', 'all'] as const;

interface PruneReport {
  dryRun: boolean;
  /** Removed (or, with --dry-run, would be). */
  removed: PruneItem[];
  kept: KeptItem[];
  failed: Array<PruneItem & { error: string }>;
  /** A driver left out with --driver all because its engine or cache is not there. */
  skipped: Array<{ driver: PruneDriver; reason: string }>;
  freedBytes: number;
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function line(verb: string, item: { driver: string; kind: string; name: string }, rest: string): string {
  return `${verb.padEnd(12)} ${item.driver.padEnd(7)} ${item.kind.padEnd(8)} ${item.name}  ${rest}\n`;
}

/** A part that cannot run: with --driver all it is skipped, when asked for by name an error. */
function unavailable(err: unknown): string | undefined {
  if (err instanceof DriverUnavailableError || err instanceof CacheUnavailableError) return err.message;
  return undefined;
}

export function registerPrune(images: Command): void {
  images
    .command('prune')
    .description('remove images the current recipes no longer make (docker tags, microvm bases, snapshots, kernels); never one a playground uses')
    .argument('[names...]', 'only old versions of these images (default: all)')
    .option('--driver <driver>', 'docker, microvm or all', 'all')
    .option('--dry-run', 'only print what would be removed')
    .option('--json', 'print JSON')
    .action(async (names: string[], opts: { driver: string; dryRun?: boolean; json?: boolean }) => {
      if (!(DRIVERS as readonly string[]).includes(opts.driver)) {
        throw new CliError(`images prune: --driver: expected docker, microvm or all, got ${JSON.stringify(opts.driver)}`);
      }
      for (const name of names) {
        try {
          recipeChain(BUILTIN_RECIPES, name);
        } catch (err) {
          throw new CliError(`images prune: ${errorMessage(err)}`);
        }
      }
      const only = names.length ? names : undefined;
      const dryRun = !!opts.dryRun;
      const report: PruneReport = { dryRun, removed: [], kept: [], failed: [], skipped: [], freedBytes: 0 };
      const out = (text: string) => {
        if (!opts.json) process.stdout.write(text);
      };
      const progress = (driver: PruneDriver) => (message: string) => process.stderr.write(`[${driver}] ${message}\n`);
      const verb = dryRun ? 'would remove' : 'removed';

      const run = async (driver: PruneDriver, part: () => Promise<void>) => {
        try {
          await part();
        } catch (err) {
          const why = unavailable(err);
          if (why === undefined) throw err;
          if (opts.driver !== 'all') throw new CliError(`images prune: ${why}`);
          report.skipped.push({ driver, reason: why });
        }
      };
      const record = (item: PruneItem, freed: number) => {
        report.removed.push({ ...item, bytes: freed });
        report.freedBytes += freed;
        out(line(verb, item, size(freed)));
      };
      const fail = (item: PruneItem, err: unknown) => {
        const error = errorMessage(err).split('\n')[0];
        report.failed.push({ ...item, error });
        process.stderr.write(line('failed', item, error));
      };
      const kept = (items: KeptItem[]) => {
        report.kept.push(...items);
        for (const k of items) out(line('kept', k, `(${k.why})`));
      };

      if (opts.driver !== 'microvm') {
        await run('docker', async () => {
          let address;
          try {
            address = engineAddress(process.env.DOCKER_HOST);
          } catch (err) {
            throw new CliError(`images prune: ${errorMessage(err)}`);
          }
          const docker = new Docker(address.options);
          await pingEngine(docker, address);
          const builder = new DockerImageBuilder(docker, { cacheDir: path.join(sandlotHome(), 'images') });
          const prune = await planDockerImages(docker, builder, { names: only, progress: progress('docker') });
          kept(prune.plan.keep);
          for (const item of prune.plan.remove) {
            if (dryRun) {
              record(item, item.bytes);
              continue;
            }
            try {
              record(item, await removeDockerItem(docker, prune, item));
            } catch (err) {
              fail(item, err);
            }
          }
        });
      }

      if (opts.driver !== 'docker') {
        await run('microvm', async () => {
          const cacheDir = vmCacheDir(sandlotHome());
          const plan = await planVmCache({ cacheDir, home: sandlotHome(), names: only, progress: progress('microvm') });
          kept(plan.keep);
          for (const item of plan.remove) {
            try {
              if (!dryRun) removeVmEntry(cacheDir, item);
              record(item, item.bytes);
            } catch (err) {
              fail(item, err);
            }
          }
        });
      }

      if (report.skipped.length === 2) {
        throw new CliError(`images prune: nothing to prune here: ${report.skipped.map((s) => s.reason).join('; ')}`);
      }
      for (const s of report.skipped) progress(s.driver)(`skipped: ${s.reason}`);
      if (opts.json) printJson(report);
      else
        out(
          `${dryRun ? 'would free' : 'freed'} ${size(report.freedBytes)} (${report.removed.length} item${report.removed.length === 1 ? '' : 's'}${report.kept.length ? `, ${report.kept.length} old kept` : ''})\n`,
        );
      if (report.failed.length)
        throw new CliError(
          `images prune: ${report.failed.length} removal${report.failed.length === 1 ? '' : 's'} failed (first: ${report.failed[0].name}: ${report.failed[0].error})`,
        );
    });
}
