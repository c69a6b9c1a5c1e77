// Snapshot commands: snapshot, snapshots (rm), fork, save (`templates rm` is with `templates`
// in playgrounds.ts). Only the command tree is built here; each action loads its module when
// it runs (snapshot-actions.ts).
import type { Command } from 'commander';

const actions = () => import('./snapshot-actions');

export function register(program: Command): void {
  program
    .command('snapshot')
    .description('freeze a playground (running or stopped) into a snapshot that forks and templates start from')
    .argument('<playground>')
    .option('--name <name>', 'a name for the snapshot (lowercase letters, digits, -)')
    .option('--json', 'print the snapshot record as JSON')
    .action(async (id: string, o: { name?: string; json?: boolean }) => (await actions()).snapshot(id, o));

  const snapshots = program
    .command('snapshots')
    .description('list snapshots (of one playground, when given)')
    .argument('[playground]')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o: { json?: boolean }) => (await actions()).listSnapshots(id, o));
  snapshots
    .command('rm')
    .description('delete snapshots (refused while a playground forked from one, or a template saved from one, exists)')
    .argument('<snapshot...>', 'snapshot ids or names')
    .action(async (refs: string[]) => (await actions()).removeSnapshots(refs));

  program
    .command('fork')
    .description('a new playground from a playground (snapshot taken now) or a snapshot: same state, new keys and host keys')
    .argument('<playground-or-snapshot>', 'pg-… id, sn-… id or snapshot name')
    .option('--name <title>', 'title of the new playground')
    .option('--lifetime <minutes>', 'lifetime in minutes (default 120)')
    .option('--ssh', 'open a shell in the first machine when ready')
    .option('--json', 'print the new playground record as JSON')
    .action(async (from: string, o: { name?: string; lifetime?: string; ssh?: boolean; json?: boolean }) => (await actions()).fork(from, o));

  program
    .command('save')
    .description('save a playground (snapshot taken now) or a snapshot as a template of your own (see: sandlot templates)')
    .argument('<playground-or-snapshot>', 'pg-… id, sn-… id or snapshot name')
    .requiredOption('--as-template <name>', 'the template name (lowercase letters, digits, -)')
    .option('--title <title>', "the template's title")
    .option('--json', 'print the template summary as JSON')
    .action(async (from: string, o: { asTemplate: string; title?: string; json?: boolean }) => (await actions()).save(from, o));
}
