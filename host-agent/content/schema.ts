// Front matter of an iximiuz Labs `index.md` (tutorial or challenge). Known fields are
// checked for shape; fields Sandlot does not use (`categories`, `cover`, …) are allowed
// so content written for iximiuz Labs loads unchanged. Task fields are strict: a typo in
// `hintcheck` would otherwise silently disable the hint.
import { z } from 'zod';
import { machineSchema } from '../manifests/schema';

const TASK_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const taskSchema = z.strictObject({
  machine: z.string().optional(),
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: (iss) => `expected a Unix user name, got ${JSON.stringify(iss.input)}` })
    .optional(),
  run: z.string({ error: 'expected a shell script' }),
  init: z.boolean().optional(),
  helper: z.boolean().optional(),
  needs: z.array(z.string()).optional(),
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, { error: (iss) => `expected "NAME=value", got ${JSON.stringify(iss.input)}` })).optional(),
  timeout_seconds: z.number().positive().optional(),
  hintcheck: z.string().optional(),
  failcheck: z.string().optional(),
  /** User-input tasks: the answer is also written to this file in the machine. */
  destination: z.string().startsWith('/', { error: 'expected an absolute path' }).optional(),
});

export const frontMatterSchema = z
  .object({
    kind: z.enum(['tutorial', 'challenge'], { error: (iss) => `expected "tutorial" or "challenge", got ${JSON.stringify(iss.input)}` }),
    title: z.string({ error: 'expected the title as a string' }).min(1),
    description: z.string().optional(),
    playground: z.strictObject({
      name: z.string({ error: 'expected a template name' }).min(1),
      machines: z.array(machineSchema.omit({ image: true })).optional(),
    }),
    tasks: z
      .record(z.string().regex(TASK_NAME, { error: (iss) => `expected a task name (letters, digits, _ and -), got ${JSON.stringify(iss.input)}` }), taskSchema)
      .optional(),
  })
  .loose();

export type FrontMatter = z.infer<typeof frontMatterSchema>;
export type TaskFrontMatter = z.infer<typeof taskSchema>;
