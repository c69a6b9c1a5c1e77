// Playground lifecycle commands: templates, start, list, status, stop, restart, destroy, extend.
import { formatEventLoopLag } from '../../util/event-loop-lag';
import type { Command } from 'commander';
import type { AgentClient } from '../../api/client';
import type { PlaygroundEvent, PlaygroundRecord } from '../../api/protocol';
import { CliError, client, clientOrStartAgent, printJson, resolveTarget, table, timeLeft } from '../context';
import { createRequest, initInputs } from '../create-request';
import { printPlaygroundList } from '../playground-list';
import { warmPoolLines } from '../warm-pool-lines';

/** One progress line of an event (steps, warnings, errors), or nothing. */
export function describeEvent(e: PlaygroundEvent): string | undefined {
  switch (e.type) {
    case 'step':
      return `  ${e.status === 'done' ? '✓' : e.status === 'failed' ? '✗' : '…'} ${e.step}${e.machine ? ` ${e.machine}` : ''}${e.message ? `: ${e.message}` : ''}`;
    case 'log':
      return e.level === 'info' ? undefined : `  ${e.level}: ${e.message}`;
    case 'error':
      return `  ✗ ${e.message}`;
    default:
      return undefined;
  }
}

/** Follows the event stream until the playground is running (or failed). */
export async function waitUntilRunning(c: AgentClient, id: string, print: (line: string) => void): Promise<PlaygroundRecord> {
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    let done = false;
    // The stream closes whenever the outcome is known: also when `running` is the very
    // first event, delivered before anything else could have kept a handle on the stream.
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      sub.close();
      if (err) reject(err);
      else resolve();
    };
    const sub = c.follow(
      id,
      (e) => {
        const line = describeEvent(e);
        if (line) print(line);
        const state = e.type === 'snapshot' ? e.playground.state : e.type === 'playground' ? e.state : undefined;
        if (state === 'running') finish();
        else if (state === 'failed' || state === 'destroyed')
          finish(
            new CliError(
              `playground ${id} ${state}${e.type === 'snapshot' && e.playground.error ? `: ${e.playground.error}` : e.type === 'playground' && e.message ? `: ${e.message}` : ''}`,
            ),
          );
      },
      (code, reason) => finish(new CliError(`event stream closed (${code}${reason ? `: ${reason}` : ''})`)),
    );
    sub.opened.catch((err: unknown) => finish(err instanceof Error ? err : new Error(String(err))));
  });
  const record = await c.get(id);
  print(`  ready in ${((Date.now() - started) / 1000).toFixed(2)} s`);
  return record;
}

export function register(program: Command): void {
  const templates = program
    .command('templates')
    .description('list the playground templates in the catalog')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await (await clientOrStartAgent(() => undefined)).templates();
      if (o.json) return printJson(list);
      console.log(
        table([
          ['NAME', 'MACHINES', 'DESCRIPTION'],
          ...list.map((t) => [
            t.name,
            t.machines.map((m) => m.name).join(','),
            t.snapshot ? `${t.title} (saved: starts from snapshot ${t.snapshot})` : t.description,
          ]),
        ]),
      );
      // The image catalog (images/) is loaded by this command only: `list` and `start` never need it.
      const { imageAliasLines } = await import('../../manifests/image-names');
      console.log(`\n${imageAliasLines().join('\n')}`);
    });
  templates
    .command('rm')
    .description('remove templates of your own (built-in ones stay); a saved template takes its snapshot along when nothing else uses it')
    .argument('<name...>')
    .action(async (names: string[]) => (await import('./snapshot-actions')).removeTemplates(names));

  program
    .command('start')
    .description('start a new playground from a template (or -f manifest.yaml), or start a stopped one by id')
    .argument('[template-or-id]', 'template name (see `sandlot templates`) or playground id')
    .option('-f, --file <manifest>', 'playground manifest (kind: playground)')
    .option('--lifetime <minutes>', 'lifetime in minutes (default 120)')
    .option('-i, --input <key=value>', "a value of the manifest's init conditions (repeatable)", (v: string, all: string[]) => [...all, v], [])
    .option('--ssh', 'open a shell in the first machine when ready')
    .option('--json', 'print the playground record as JSON')
    .action(async (target: string | undefined, o: { file?: string; lifetime?: string; input: string[]; ssh?: boolean; json?: boolean }) => {
      const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
      if (!target && !o.file) throw new CliError('start: give a template name (see `sandlot templates`), a playground id, or -f manifest.yaml');
      initInputs(o.input);
      const stopped = target && /^pg-/.test(target) ? target : undefined;
      if (o.input.length > 0 && stopped) throw new CliError('-i: init conditions apply when a playground is made, not to a stopped one');
      const req = stopped ? undefined : createRequest(target, o);
      const c = await clientOrStartAgent(say);
      let record: PlaygroundRecord;
      if (stopped || !req) {
        record = await c.start(target ?? '');
        if (record.state !== 'running') throw new CliError(`playground ${target} is ${record.state}${record.error ? `: ${record.error}` : ''}`);
      } else {
        const created = await c.create(req);
        say(
          `Starting ${created.id} (${created.template}, ${created.machines.length} machine${created.machines.length > 1 ? 's' : ''}, ${created.driver} driver)`,
        );
        record = await waitUntilRunning(c, created.id, say);
      }
      if (o.json) printJson(record);
      else {
        say(`Playground ${record.id} is running: ${record.machines.map((m) => m.name).join(', ')} (expires in ${timeLeft(record.deadline)})`);
        if (!o.ssh) say(`Enter it with: sandlot ssh ${record.id}`);
      }
      if (o.ssh) {
        const { interactiveSsh } = await import('../ssh-session');
        process.exitCode = await interactiveSsh(c, record, record.machines[0].name, undefined, []);
      }
    });

  program
    .command('list')
    .alias('ls')
    .description('list playgrounds')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => printPlaygroundList(await client().list(), o.json === true));

  program
    .command('status')
    .description('show the agent, or one playground in detail (with memory per machine)')
    .argument('[playground]')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o: { json?: boolean }) => {
      const c = client();
      if (!id) {
        const info = await c.info();
        if (info.state === 'starting')
          console.log(`agent ${info.version} (pid ${info.pid}) is starting: probing the ${info.driver} driver and re-adopting playgrounds`);
        const list = await c.list();
        if (o.json) return printJson({ agent: { ...info, url: c.endpoint.url }, playgrounds: list.length });
        console.log(`agent ${info.version} at ${c.endpoint.url} (pid ${info.pid}), driver ${info.driver}; ${list.length} playground(s)`);
        console.log(`isolation: ${info.isolation}`);
        if (info.eventLoopLag)
          console.log(`event loop lag: ${formatEventLoopLag(info.eventLoopLag.recent)}; since start max ${info.eventLoopLag.sinceStart.maxMs} ms`);
        if (info.warmPool) for (const line of warmPoolLines(info.warmPool)) console.log(line);
        return;
      }
      const { record } = await resolveTarget(c, id);
      const memory = record.state === 'running' ? await c.memory(record.id) : {};
      if (o.json) return printJson({ ...record, memory });
      console.log(`${record.id} ${record.title} [${record.state}] driver ${record.driver}, expires in ${timeLeft(record.deadline)} (${record.deadline})`);
      if (record.error) console.log(`error: ${record.error}`);
      console.log(
        table([
          // RAM is the machine's ramSize (its memory limit wherever the driver enforces it).
          ['MACHINE', 'STATE', 'ADDRESS', 'USERS', 'RSS / RAM'],
          ...record.machines.map((m) => [
            m.name,
            m.state,
            m.address ?? '-',
            m.users.join(','),
            `${memory[m.name] !== undefined ? `${(memory[m.name] / 1048576).toFixed(1)} MiB` : '-'} / ${m.resources.ramSize}`,
          ]),
        ]),
      );
    });

  const simple = (name: 'stop' | 'restart', what: string) =>
    program
      .command(name)
      .description(`${what} a playground (machines keep their files)`)
      .argument('<playground>')
      .option('--json', 'print JSON')
      .action(async (id: string, o: { json?: boolean }) => {
        const c = client();
        const r = await c[name]((await resolveTarget(c, id)).record.id);
        if (o.json) return printJson(r);
        if (r.state === 'failed') throw new CliError(`${r.id} failed: ${r.error}`);
        console.log(`${r.id} is ${r.state}`);
      });
  simple('stop', 'stop');
  simple('restart', 'restart');

  program
    .command('destroy')
    .alias('rm')
    .description('destroy a playground and everything in it')
    .argument('<playground...>')
    .action(async (ids: string[]) => {
      const c = client();
      for (const id of ids) {
        await c.destroy((await resolveTarget(c, id)).record.id);
        console.log(`${id} destroyed`);
      }
    });

  program
    .command('extend')
    .description('extend the lifetime of a playground')
    .argument('<playground>')
    .option('-m, --minutes <n>', 'minutes to add', '60')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { minutes: string; json?: boolean }) => {
      const minutes = Number(o.minutes);
      if (!Number.isFinite(minutes) || minutes <= 0) throw new CliError(`--minutes: expected a positive number, got "${o.minutes}"`);
      const r = await client().extend(id, minutes);
      if (o.json) return printJson(r);
      console.log(`${r.id} now expires at ${r.deadline} (in ${timeLeft(r.deadline)})`);
    });
}
