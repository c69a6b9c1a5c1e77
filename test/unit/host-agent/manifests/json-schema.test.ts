import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { JSON_SCHEMA_FILE, manifestJsonSchema, manifestJsonSchemaText } from '../../../../host-agent/manifests/json-schema';
import { FIXTURES, withPlayground } from './fixtures';

const ROOT = path.join(__dirname, '../../../..');

describe('JSON Schema', () => {
  it('committed copy equals the one generated from the zod schema (npm run schema)', () => {
    expect(fs.readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), 'utf8')).toBe(manifestJsonSchemaText());
  });

  it('is contributed to the YAML extension for *.playground.yaml and sandlot.yaml, and packaged', () => {
    const pkg = z
      .object({ contributes: z.object({ yamlValidation: z.array(z.object({ fileMatch: z.array(z.string()), url: z.string() })) }) })
      .parse(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')));
    expect(pkg.contributes.yamlValidation).toEqual([{ fileMatch: ['*.playground.yaml', '*.playground.yml', 'sandlot.yaml'], url: `./${JSON_SCHEMA_FILE}` }]);
    expect(fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8')).toMatch(/^!schemas\/\*\*$/m);
  });
});

describe('JSON Schema as editors use it', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(manifestJsonSchema());
  const templates = path.join(ROOT, 'host-agent/templates');
  const yamlFiles = [...fs.readdirSync(FIXTURES).map((f) => path.join(FIXTURES, f)), ...fs.readdirSync(templates).map((f) => path.join(templates, f))];

  it.each(yamlFiles.map((f) => [path.basename(f), f]))('accepts %s', (_name, file) => {
    expect(validate(parse(fs.readFileSync(file, 'utf8')))).toBe(true);
  });

  it('flags what the loader refuses in shape (unknown fields, wrong kinds, bad patterns)', () => {
    expect(validate(parse(withPlayground('  tabs: [{ kind: vnc }]\n', '{ name: Dev, ramSize: 2Gi }')))).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(where).toEqual(
      expect.arrayContaining(['/playground/machines/0/name pattern', '/playground/machines/0 additionalProperties', '/playground/tabs/0/kind enum']),
    );
  });
});
