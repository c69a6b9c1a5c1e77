// `sandlot manifest check <file…>`: validate playground manifests without an agent (bases
// from the built-in templates and $SANDLOT_HOME/templates); `--print` writes the effective
// manifest. `sandlot manifest <playground>`: the effective manifest of a running
// playground, which `sandlot start -f` accepts again. `sandlot manifest schema`: the JSON
// Schema for editors.
import * as fs from 'node:fs';
import type { Command } from 'commander';
import type { BaseCatalog } from '../../manifests/base';
import { describeManifest } from '../../manifests/describe';
import { effectiveManifest, manifestYaml } from '../../manifests/effective';
import { manifestJsonSchemaText } from '../../manifests/json-schema';
import { loadManifest } from '../../manifests/load';
import { builtinTemplatesDir, TemplateCatalog } from '../../playgrounds/catalog';
import { sandlotPaths } from '../../util/paths';
import { CliError, client, printJson, resolveTarget } from '../context';
import { errorCode, errorMessage } from '../../util/errors';

/** The templates a manifest's `base` may name here: built-in and the user's own. */
export function localBases(): BaseCatalog {
  const catalog = new TemplateCatalog([
    { dir: builtinTemplatesDir(), source: 'builtin' },
    { dir: sandlotPaths().userTemplates, source: 'user' },
  ]);
  return { get: (name) => catalog.get(name)?.manifest, names: () => catalog.list().map((t) => t.name) };
}

function readManifestFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = errorCode(err);
    throw new CliError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a manifest file' : errorMessage(err)}`);
  }
}

export function register(program: Command): void {
  const manifest = program
    .command('manifest')
    .description('show the effective manifest of a playground (defaults filled in; `start -f` accepts it again), or check manifest files')
    .argument('[playground]', 'playground id');
  manifest.option('--json', 'print the manifest text and the layout (tabs) as JSON').action(async (id: string | undefined, o: { json?: boolean }) => {
    if (!id) throw new CliError('manifest: give a playground id (see `sandlot list`), or: sandlot manifest check <file>');
    const { record } = await resolveTarget(client(), id);
    const view = await client().manifest(record.id);
    if (o.json) printJson(view);
    else process.stdout.write(view.text);
  });

  manifest
    .command('schema')
    .description("print the manifests' JSON Schema (for editors; VS Code gets it from the extension)")
    .action(() => {
      process.stdout.write(manifestJsonSchemaText());
    });

  manifest
    .command('check')
    .description('validate playground manifests (no agent needed); print what each playground will be')
    .argument('<files...>', 'manifest files (kind: playground)')
    .option('--print', 'print the effective manifest (YAML) instead of the summary')
    .action((files: string[], o: { print?: boolean }) => {
      const bases = localBases();
      for (const file of files) {
        const { manifest: m, warnings } = loadManifest(readManifestFile(file), file, { bases });
        for (const w of warnings) process.stderr.write(`${file}: warning: ${w}\n`);
        if (o.print) process.stdout.write(manifestYaml(effectiveManifest(m), `Effective manifest of ${file}`));
        else process.stdout.write(`${file}: ok\n${describeManifest(m).join('\n')}\n`);
      }
    });
}
