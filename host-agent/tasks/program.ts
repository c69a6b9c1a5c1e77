// Turns a task script into the program the runner executes: variables first, then the
// helper library, then the script itself.
import { HELPER_LIBRARY } from './helpers';
import { shellQuote } from './template';

export function buildProgram(script: string, env: Record<string, string>): string {
  const exports = Object.entries(env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
  return `${exports}\n${HELPER_LIBRARY}\n${script}\n`;
}
