// Host tools run to completion off the event loop: output when asked for, the directory
// given, a time limit that kills, and a failure that names the command (a script cut
// short) with its exit code and stderr.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandOutput, runCommand } from '../../../../host-agent/util/run-command';

describe('runCommand and commandOutput', () => {
  it('return what the tool printed, run where asked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-run-'));
    try {
      expect(await commandOutput('sh', ['-c', 'pwd'], { cwd: dir })).toBe(`${fs.realpathSync(dir)}\n`);
      await runCommand('sh', ['-c', 'cat > got'], { cwd: dir, input: 'ruleset' });
      expect(fs.readFileSync(path.join(dir, 'got'), 'utf8')).toBe('ruleset');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill a tool that outlives its time limit, and say so', async () => {
    await expect(commandOutput('sleep', ['5'], { timeoutMs: 200 })).rejects.toThrow('sleep 5: killed (SIGTERM) after 200 ms');
  });

  it('name the failing command, cut when it carries a script, with its exit code and stderr', async () => {
    const script = `${'true; '.repeat(40)}echo broken >&2; exit 3`;
    const message = await runCommand('sh', ['-c', script]).then(
      () => '',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(message).toMatch(/^sh -c true; true; .{100,}…: exit 3: broken$/);
    expect(message.length).toBeLessThan(200);
  });
});
