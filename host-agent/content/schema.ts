// Front matter of an iximiuz Labs `index.md` (tutorial, challenge, lesson) and of the pages
// of skill paths and courses. Known fields are checked for shape; fields Sandlot does not
// use (`categories`, `cover`, `tagz`, …) are allowed so content written for iximiuz Labs
// loads unchanged. Task fields are strict: a typo in `hintcheck` would otherwise silently
// disable the hint, and so is `playground:` (the manifest schema's own playground section).
import { z } from 'zod';
import { playgroundSectionSchema } from '../manifests/schema';

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

export const tasksSchema = z.record(
  z.string().regex(TASK_NAME, { error: (iss) => `expected a task name (letters, digits, _ and -), got ${JSON.stringify(iss.input)}` }),
  taskSchema,
);

/**
 * `playground:` of front matter: the manifest's playground section (machines, networks,
 * tabs, registryAuth, … — one schema, manifests/schema.ts) plus `name`, the template it is
 * based on. Listed machines are a subset of the template's, tweaked, as with `base:`.
 */
export const playgroundSchema = playgroundSectionSchema.extend({
  name: z.string({ error: 'expected a template name' }).min(1),
});

export const frontMatterSchema = z
  .object({
    kind: z.enum(['tutorial', 'challenge'], { error: (iss) => `expected "tutorial" or "challenge", got ${JSON.stringify(iss.input)}` }),
    title: z.string({ error: 'expected the title as a string' }).min(1),
    description: z.string().optional(),
    playground: playgroundSchema,
    tasks: tasksSchema.optional(),
  })
  .loose();

/** Maps of content a page embeds as cards (`challenges: {name: {}}`, …), as iximiuz Labs writes them. */
export const REFERENCE_MAPS = {
  challenges: 'challenge',
  tutorials: 'tutorial',
  'skill-paths': 'skill-path',
  courses: 'course',
  lessons: 'lesson',
  roadmaps: 'roadmap',
  playgrounds: 'playground',
} as const;

const referenceMap = z.record(z.string(), z.unknown()).optional();
const referenceFields = Object.fromEntries(Object.keys(REFERENCE_MAPS).map((k) => [k, referenceMap]));

/** `kind: skill-path` index.md. */
export const skillPathSchema = z
  .object({
    kind: z.literal('skill-path'),
    title: z.string({ error: 'expected the title as a string' }).min(1),
    description: z.string().optional(),
    ...referenceFields,
  })
  .loose();

/** `kind: unit` pages of skill paths and course lessons. */
export const unitSchema = z
  .object({
    kind: z.literal('unit', { error: (iss) => `expected "unit", got ${JSON.stringify(iss.input)}` }),
    title: z.string({ error: 'expected the title as a string' }).min(1),
    name: z.string().optional(),
    description: z.string().optional(),
    tasks: tasksSchema.optional(),
    ...referenceFields,
  })
  .loose();

/** `index.md` of a course, `0.index.md` of a module, `000.index.md` of a lesson. */
export const courseNodeSchema = (kind: 'course' | 'module' | 'lesson') =>
  z
    .object({
      kind: z.literal(kind, { error: (iss) => `expected "${kind}", got ${JSON.stringify(iss.input)}` }),
      title: z.string({ error: 'expected the title as a string' }).min(1),
      name: z.string().optional(),
      description: z.string().optional(),
      playground: playgroundSchema.optional(),
      tasks: tasksSchema.optional(),
      ...referenceFields,
    })
    .loose();

export type FrontMatter = z.infer<typeof frontMatterSchema>;
export type TaskFrontMatter = z.infer<typeof taskSchema>;
export type PlaygroundFrontMatter = z.infer<typeof playgroundSchema>;
export type NodeFrontMatter = z.infer<ReturnType<typeof courseNodeSchema>>;
