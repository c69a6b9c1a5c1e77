// The global options (`--agent`, `--token`), set by the entry before a command runs and
// read by whatever finds the agent. A module of its own: the entry does not load the
// agent client to set them.

export interface GlobalOptions {
  agent?: string;
  token?: string;
}

let globals: GlobalOptions = {};

export function setGlobals(g: GlobalOptions): void {
  globals = g;
}

export function getGlobals(): GlobalOptions {
  return globals;
}
