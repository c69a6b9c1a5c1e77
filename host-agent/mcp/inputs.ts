// Input fields several tools share, each with a description (what the model reads in
// the JSON Schema) and an error naming what was expected.
import { z } from 'zod';
import { showValue } from '../api/protocol';

export const playgroundId = () =>
  z
    .string({ error: 'expected a playground id like pg-7f3k2a (see list_playgrounds)' })
    .regex(/^pg-[a-z0-9]+$/, { error: (iss) => `expected a playground id like pg-7f3k2a (see list_playgrounds), got ${showValue(iss.input)}` })
    .describe('Playground id, e.g. pg-7f3k2a (from start_playground or list_playgrounds).');

export const machineName = () =>
  z
    .string({ error: 'expected a machine name (see the playground record)' })
    .min(1, { error: 'expected a machine name (see the playground record)' })
    .optional()
    .describe("Machine name, e.g. dev or node-01; default: the playground's first machine.");

export const userName = () =>
  z
    .string({ error: 'expected a Unix user name' })
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: (iss) => `expected a Unix user name, got ${showValue(iss.input)}` })
    .optional()
    .describe("User to act as; default: the machine's default user (see users in the playground record).");

/** A whole number in [min, max] with a default, described with both. */
export const boundedInt = (what: string, min: number, max: number, fallback: number) =>
  z
    .number({ error: `expected ${what}: a whole number from ${min} to ${max}` })
    .int({ error: `expected ${what}: a whole number from ${min} to ${max}` })
    .min(min, { error: `expected ${what} of at least ${min}` })
    .max(max, { error: `expected ${what} of at most ${max}` })
    .optional()
    .describe(`${what[0].toUpperCase()}${what.slice(1)}; default ${fallback}, at most ${max}.`);
