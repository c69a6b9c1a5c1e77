import { describe, expect, it } from 'vitest';
import { MachineChanges, type ChangeReason } from '../../../../extension/remote/machine-changes';
import type { MachineRef } from '../../../../extension/remote/uri';

function setup(checking = (_: string) => true) {
  const sent: string[] = [];
  const gates: (() => void)[] = [];
  const errors: string[] = [];
  const changes = new MachineChanges({
    checking,
    send: (ref: MachineRef, reason: ChangeReason) => {
      sent.push(`${ref.playground}/${ref.machine}:${reason}`);
      return new Promise<void>((resolve, reject) => gates.push(() => (reason === 'file' && ref.machine === 'bad' ? reject(new Error('refused')) : resolve())));
    },
    onError: (ref, err) => errors.push(`${ref.machine}: ${String(err)}`),
  });
  const release = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { changes, sent, release, errors, gates };
}

describe('MachineChanges', () => {
  it('keeps one request in flight per machine and folds the changes meanwhile into one more', async () => {
    const { changes, sent, release } = setup();
    const dev = { playground: 'pg-1', machine: 'dev' };
    changes.notify(dev, 'terminal');
    changes.notify(dev, 'file');
    changes.notify(dev, 'terminal');
    // Another machine does not wait for this one.
    changes.notify({ playground: 'pg-1', machine: 'web' }, 'file');
    expect(sent).toEqual(['pg-1/dev:terminal', 'pg-1/web:file']);
    await release();
    expect(sent).toEqual(['pg-1/dev:terminal', 'pg-1/web:file', 'pg-1/dev:terminal']);
    await release();
    await release();
    changes.notify(dev, 'file');
    expect(sent.at(-1)).toBe('pg-1/dev:file');
  });

  it('asks nothing for playgrounds without waiting checks and carries on after a failed request', async () => {
    const { changes, sent, release, errors } = setup((id) => id !== 'pg-done');
    changes.notify({ playground: 'pg-done', machine: 'dev' }, 'terminal');
    expect(sent).toEqual([]);
    const bad = { playground: 'pg-2', machine: 'bad' };
    changes.notify(bad, 'file');
    await release();
    expect(errors).toEqual(['bad: Error: refused']);
    changes.notify(bad, 'terminal');
    expect(sent).toEqual(['pg-2/bad:file', 'pg-2/bad:terminal']);
  });
});
