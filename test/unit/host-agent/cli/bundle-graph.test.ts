// What each CLI command loads, read from the real build's module graph (esbuild's
// metafile for scripts/cli-bundle.mjs): the fast commands never load Docker's client, the
// markdown pipeline, image builders, QEMU, the MCP SDK, the agent or the schema libraries.
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliBundle, cliLean } from '../../../../scripts/cli-bundle.mjs';

const MAIN = 'host-agent/cli/main.ts';
const GROUPS = 'host-agent/cli/commands/';

/** Packages and source folders the fast commands must never load. */
const HEAVY = [
  /node_modules\/(dockerode|docker-modem|@grpc)\//,
  /node_modules\/(unified|remark-[a-z-]+|micromark[a-z-]*|mdast-[a-z-]+)\//,
  /node_modules\/(zod|yaml)\//,
  /node_modules\/@modelcontextprotocol\//,
  // The agent (server/state-lock.ts, which tells whether one is starting, is not it).
  /^host-agent\/(server\/(?!state-lock\.ts)|drivers\/(docker|microvm|sandbox)|images|content|manifests\/load|playgrounds|tasks|mcp)/,
];

let meta: esbuild.Metafile;
let leanMeta: esbuild.Metafile;
beforeAll(async () => {
  const build = async (options: esbuild.BuildOptions) =>
    (await esbuild.build({ ...options, write: false, metafile: true, sourcemap: false, logLevel: 'silent' })).metafile;
  [meta, leanMeta] = await Promise.all([build(cliBundle), build(cliLean)]);
}, 120_000);

/** Every source module in a lean entry's single file. */
function leanInputs(entryPoint: string): string[] {
  const found = Object.values(leanMeta.outputs).find((o) => o.entryPoint === entryPoint);
  if (!found) throw new Error(`no lean output for ${entryPoint}`);
  return Object.keys(found.inputs);
}

function outputOf(entryPoint: string): string {
  const found = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === entryPoint);
  if (!found) throw new Error(`no output for ${entryPoint}`);
  return found[0];
}

/**
 * Every source module loaded when `entry` runs a command of `group` (a module under
 * commands/): the entry's static imports, then the group's, and (`onDemand`) what the
 * group may load later (its dynamic imports), never another group's.
 */
function loaded(entry: string, group?: string, onDemand = true): string[] {
  const groups = new Set(Object.values(meta.outputs).flatMap((o) => (o.entryPoint?.startsWith(GROUPS) ? [o.entryPoint] : [])));
  const seen = new Set<string>();
  const visit = (out: string, dynamic: boolean) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of meta.outputs[out].imports) {
      if (i.external) continue;
      const target = meta.outputs[i.path].entryPoint;
      if (i.kind === 'dynamic-import' && (!dynamic || (target && groups.has(target)))) continue;
      visit(i.path, dynamic);
    }
  };
  visit(outputOf(entry), false);
  if (group) visit(outputOf(`${GROUPS}${group}.ts`), onDemand);
  return [...seen].flatMap((out) => Object.keys(meta.outputs[out].inputs));
}

const heavyIn = (inputs: string[]) => inputs.filter((f) => HEAVY.some((re) => re.test(f)));

describe('what a CLI command loads', () => {
  it('`sandlot --version`: the entry and commander, no command group', () => {
    const inputs = loaded(MAIN);
    expect(heavyIn(inputs)).toEqual([]);
    expect(inputs.filter((f) => f.startsWith(GROUPS))).toEqual(['host-agent/cli/commands/index.ts']);
    expect(inputs.filter((f) => /node_modules\/(ws|ssh2)\//.test(f))).toEqual([]);
  });

  it('`sandlot list` (and the other playground commands): no heavy module, not even ws or ssh2 until `start --ssh` opens a shell', () => {
    expect(heavyIn(loaded(MAIN, 'playgrounds', false))).toEqual([]);
    // `templates` loads the image catalog (for its alias lines) when it runs, nothing else does.
    expect(heavyIn(loaded(MAIN, 'playgrounds')).filter((f) => !/^host-agent\/images\/(catalog|inputs|machine-scripts)\.ts$/.test(f))).toEqual([]);
    expect(loaded(MAIN, 'playgrounds', false).filter((f) => /node_modules\/(ws|ssh2)\/|^host-agent\/server\//.test(f))).toEqual([]);
  });

  it('`sandlot ssh`, `cp`, `port-forward`, `ssh-proxy`: ssh2 and ws at most', () => {
    expect(heavyIn(loaded(MAIN, 'ssh'))).toEqual([]);
  });

  it('`sandlot run` in the full CLI: the agent client, no SSH client (the agent runs the command), no ws (the raw tcpRun route)', () => {
    const inputs = loaded(MAIN, 'run');
    expect(heavyIn(inputs)).toEqual([]);
    expect(inputs.filter((f) => /node_modules\/ssh2\//.test(f))).toEqual([]);
    // ws stays behind the client's on-demand import (WebSocket routes), which a run never takes.
    const atStart = loaded(MAIN, 'run', false);
    expect(atStart).toContain('host-agent/cli/run-command.ts');
    expect(atStart.filter((f) => /node_modules\/(ssh2|ws)\//.test(f))).toEqual([]);
  });

  it('the lean entries (`list` and `run`, the ssh-proxy of ProxyCommand): the agent client only, no commander, no ssh2, no ws', () => {
    for (const entry of ['host-agent/cli/lean-main.ts', 'host-agent/cli/ssh-proxy-main.ts']) {
      const inputs = leanInputs(entry);
      expect(inputs).toContain('host-agent/api/client.ts');
      expect(heavyIn(inputs)).toEqual([]);
      expect(inputs.filter((f) => /node_modules\/(commander|ssh2|ws)\//.test(f))).toEqual([]);
    }
    // `run` itself, with the raw link and its framing: nothing of the agent's side of a run.
    const run = leanInputs('host-agent/cli/lean-main.ts');
    expect(run).toEqual(expect.arrayContaining(['host-agent/cli/run-command.ts', 'host-agent/api/run-link.ts', 'host-agent/api/run-wire.ts']));
    expect(run.filter((f) => f.startsWith('host-agent/server/run-session'))).toEqual([]);
  });

  it('sees heavy modules where they are used (the check can fail)', () => {
    expect(heavyIn(loaded(MAIN, 'agent')).some((f) => f.includes('node_modules/dockerode/'))).toBe(true);
    expect(heavyIn(loaded(MAIN, 'content')).some((f) => f.startsWith('host-agent/content/'))).toBe(true);
    expect(heavyIn(loaded(MAIN, 'mcp')).some((f) => f.includes('node_modules/@modelcontextprotocol/'))).toBe(true);
  });
});
