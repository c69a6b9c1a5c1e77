// What the snapshot commands do (commands/snapshots.ts declares them): calls to the agent,
// progress lines from the playground's event stream while a snapshot is copied, tables.
import type { AgentClient } from '../../api/client';
import type { PlaygroundRecord, SnapshotRecord } from '../../api/protocol';
import { CliError, client, printJson, resolveTarget, table, timeLeft } from '../context';
import { describeEvent, waitUntilRunning } from './playgrounds';
import { interactiveSsh } from '../ssh-session';

const isPlayground = (ref: string) => /^pg-/.test(ref);

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Runs `op` while printing the playground's step events (a snapshot's progress). */
async function withProgress<T>(c: AgentClient, playground: string, say: (line: string) => void, op: () => Promise<T>): Promise<T> {
  // The stream first repeats the playground's recent steps (an earlier snapshot's among them): only newer ones are ours.
  const since = Date.now() - 1000;
  const sub = c.follow(playground, (e) => {
    if (e.type === 'step' && (e.step === 'snapshot' || e.step === 'checksum') && Date.parse(e.at) >= since) {
      const line = describeEvent(e);
      if (line) say(line);
    }
  });
  // A stream that cannot open costs only the progress lines; the operation says what went wrong.
  await sub.opened.catch(() => undefined);
  try {
    return await op();
  } finally {
    sub.close();
  }
}

function lifetime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new CliError(`--lifetime: expected a number of minutes, got "${value}"`);
  return minutes;
}

function describeSnapshot(s: SnapshotRecord): string {
  return `${s.id}${s.name ? ` (${s.name})` : ''} of ${s.playground}: ${s.machines.length} machine${s.machines.length === 1 ? '' : 's'}, ${s.files} files, ${mib(s.diskBytes)} on disk`;
}

export async function snapshot(id: string, o: { name?: string; json?: boolean }): Promise<void> {
  const c = client();
  const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
  const { record } = await resolveTarget(c, id);
  say(`Snapshotting ${record.id} (${record.state}${record.state === 'running' ? ': its machines pause for the copy' : ''})`);
  const s = await withProgress(c, record.id, say, () => c.snapshot(record.id, o.name ? { name: o.name } : {}));
  if (o.json) return printJson(s);
  say(`Snapshot ${describeSnapshot(s)}`);
  say(`Fork it with: sandlot fork ${s.name ?? s.id}`);
}

export async function listSnapshots(id: string | undefined, o: { json?: boolean }): Promise<void> {
  const c = client();
  const list = await c.snapshots(id ? (await resolveTarget(c, id)).record.id : undefined);
  if (o.json) return printJson(list);
  if (list.length === 0)
    return console.log(id ? `No snapshots of ${id}. Make one with: sandlot snapshot ${id}` : 'No snapshots. Make one with: sandlot snapshot <playground>');
  console.log(
    table([
      ['ID', 'NAME', 'PLAYGROUND', 'TEMPLATE', 'STATE', 'CREATED', 'SIZE', 'USED BY'],
      ...list.map((s) => [
        s.id,
        s.name ?? '-',
        s.playground || '-',
        s.template || '-',
        s.state === 'ready' ? (s.purpose === 'user' ? 'ready' : `ready (${s.purpose})`) : `${s.state}${s.problem ? `: ${s.problem}` : ''}`,
        s.createdAt.replace('T', ' ').slice(0, 19),
        mib(s.diskBytes),
        [...s.usedBy.playgrounds, ...s.usedBy.templates.map((t) => `template ${t}`)].join(',') || '-',
      ]),
    ]),
  );
}

export async function removeSnapshots(refs: string[]): Promise<void> {
  const c = client();
  for (const ref of refs) {
    const { id } = await c.deleteSnapshot(ref);
    console.log(`${id}${ref !== id ? ` (${ref})` : ''} deleted`);
  }
}

export async function fork(from: string, o: { name?: string; lifetime?: string; ssh?: boolean; json?: boolean }): Promise<void> {
  const c = client();
  const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
  const req = { ...(o.name ? { title: o.name } : {}), ...(o.lifetime !== undefined ? { lifetimeMinutes: lifetime(o.lifetime) } : {}) };
  let created: PlaygroundRecord;
  if (isPlayground(from)) {
    const { record } = await resolveTarget(c, from);
    say(`Forking ${record.id}: snapshot first${record.state === 'running' ? ' (its machines pause for the copy)' : ''}`);
    created = await withProgress(c, record.id, say, () => c.fork({ playground: record.id }, req));
  } else {
    say(`Forking snapshot ${from}: checking its files`);
    created = await c.fork({ snapshot: from }, req);
  }
  say(
    `Starting ${created.id} from ${created.forkOf} (${created.template}, ${created.machines.length} machine${created.machines.length > 1 ? 's' : ''}, ${created.driver} driver)`,
  );
  const record = await waitUntilRunning(c, created.id, say);
  if (o.json) printJson(record);
  else {
    say(`Playground ${record.id} is running: ${record.machines.map((m) => m.name).join(', ')} (expires in ${timeLeft(record.deadline)})`);
    if (!o.ssh) say(`Enter it with: sandlot ssh ${record.id}`);
  }
  if (o.ssh) process.exitCode = await interactiveSsh(c, record, record.machines[0].name, undefined, []);
}

export async function save(from: string, o: { asTemplate: string; title?: string; json?: boolean }): Promise<void> {
  const c = client();
  const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
  const req = { name: o.asTemplate, ...(o.title ? { title: o.title } : {}) };
  let saved;
  if (isPlayground(from)) {
    const { record } = await resolveTarget(c, from);
    say(`Saving ${record.id} as template ${o.asTemplate}: snapshot first`);
    saved = await withProgress(c, record.id, say, () => c.saveTemplate({ playground: record.id }, req));
  } else saved = await c.saveTemplate({ snapshot: from }, req);
  if (o.json) return printJson(saved);
  say(`Template ${saved.name} ("${saved.title}") saved from snapshot ${saved.snapshot}; start it with: sandlot start ${saved.name}`);
}

export async function removeTemplates(names: string[]): Promise<void> {
  const c = client();
  for (const name of names) {
    await c.removeTemplate(name);
    console.log(`template ${name} removed`);
  }
}
