// The JSON Schema of playground manifests, made from the one zod schema, for editors:
// VS Code's YAML extension validates `*.playground.yaml` and `sandlot.yaml` with the
// committed copy (schemas/playground-manifest.schema.json, contributed by package.json);
// `sandlot manifest schema` prints it for other editors. Draft 7: what the YAML language
// server understands best. It checks shape only; cross-field rules (addresses, drives,
// base machines, …) are `sandlot manifest check`'s.
import { z } from 'zod';
import { manifestInputSchema } from './schema';

export const JSON_SCHEMA_FILE = 'schemas/playground-manifest.schema.json';

export function manifestJsonSchema(): Record<string, unknown> {
  // io 'input': what authors write (a mode may be a number; it becomes a string later).
  const schema = z.toJSONSchema(manifestInputSchema, { io: 'input', target: 'draft-7' });
  return { ...schema, title: 'Sandlot / iximiuz Labs playground manifest (kind: playground)' };
}

export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
