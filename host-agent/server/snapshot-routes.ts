// Handlers of the `snapshots` routes of the table: snapshots, forks, saved templates. Each
// is a thin call into the snapshot service; the request's shape was checked before.
import type { SnapshotService } from '../snapshots/service';
import type { Handlers } from './router';

export function snapshotHandlers(snapshots: SnapshotService): Handlers<'snapshots'> {
  return {
    createSnapshot: async ({ params, body }) => snapshots.get((await snapshots.create(params.id, body.name, 'user')).id),
    listSnapshots: ({ query }) => snapshots.list(query.playground),
    getSnapshot: ({ params }) => snapshots.get(params.snapshot),
    deleteSnapshot: async ({ params }) => ({ id: await snapshots.delete(params.snapshot), state: 'deleted' as const }),
    forkPlayground: ({ params, body }) => snapshots.forkPlayground(params.id, body),
    forkSnapshot: ({ params, body }) => snapshots.forkSnapshot(params.snapshot, body),
    savePlayground: ({ params, body }) => snapshots.save({ playground: params.id }, body),
    saveSnapshot: ({ params, body }) => snapshots.save({ snapshot: params.snapshot }, body),
    deleteTemplate: async ({ params }) => {
      await snapshots.removeTemplate(params.name);
      return { name: params.name, removed: true as const };
    },
  };
}
