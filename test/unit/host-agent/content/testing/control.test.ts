// The examinerctl stand-in runs in a real bash here, fed through pipes like an SSH channel:
// its requests are parsed from stdout and answered on stdin.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ControlParser, parseDuration, solutionProgram, type ControlEvent, type ControlRequest } from '../../../../../host-agent/content/testing/control';

/** Runs a program in bash; every request gets `answer`'s reply. */
function run(
  program: string,
  nonce: string,
  answer: (r: ControlRequest) => string,
): Promise<{ code: number | null; out: string; err: string; requests: ControlRequest[] }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', program], { stdio: ['pipe', 'pipe', 'pipe'] });
    const parser = new ControlParser(nonce);
    const requests: ControlRequest[] = [];
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      for (const e of parser.feed(d.toString())) {
        if (e.type === 'output') out += e.text;
        else if (e.type === 'request') {
          requests.push(e.request);
          child.stdin.write(`${answer(e.request)}\n`);
        } else child.stdin.write(`fail ${e.error}\n`);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err, requests }));
  });
}

describe('solutionProgram with examinerctl', () => {
  it('waits and answers through the control channel, keeping the shell state across', async () => {
    const program = solutionProgram(
      'x=41\nexaminerctl task wait verify_a --timeout 1m30s\nx=$((x+1))\necho -n "$x" | examinerctl task input verify_b\nexaminerctl task wait verify_b\necho "done $x run $SANDLOT_TEST_RUN"',
      { nonce: 'n1', mode: 'strict', env: { SANDLOT_TEST_RUN: '2' } },
    );
    const r = await run(program, 'n1', () => 'ok');
    expect(r.code).toBe(0);
    expect(r.requests).toEqual([
      { verb: 'wait', task: 'verify_a', timeoutMs: 90_000 },
      { verb: 'input', task: 'verify_b', value: '42' },
      { verb: 'wait', task: 'verify_b' },
    ]);
    expect(r.out).toBe('done 42 run 2\n');
    // set -x traces the script, not the stand-in's own lines.
    expect(r.err).toContain('+ x=41');
    expect(r.err).not.toContain('__sandlot');
  });

  it('stops a strict script at a failed wait, with the reason on stderr', async () => {
    const program = solutionProgram('examinerctl task wait verify_a\necho never', { nonce: 'n2', mode: 'strict', env: {} });
    const r = await run(program, 'n2', () => 'fail task verify_a did not complete within 60 s');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('examinerctl: task verify_a did not complete within 60 s');
  });

  it('runs every command of a terminal-style script, as typed one after the other', async () => {
    const program = solutionProgram('false\nset -o | grep -q "errexit *on" && echo strict || echo lenient\nexit 0', { nonce: 'n3', mode: 'terminal', env: {} });
    const r = await run(program, 'n3', () => 'ok');
    expect(r).toMatchObject({ code: 0, out: 'lenient\n' });
  });

  it('refuses what it does not know, and a bad duration, in one line each', async () => {
    const r1 = await run(solutionProgram('examinerctl task get verify_a', { nonce: 'n', mode: 'strict', env: {} }), 'n', () => 'ok');
    expect(r1.code).toBe(2);
    expect(r1.err).toContain("knows 'task wait <task> [--timeout D]' and 'task input <task>'");
    const r2 = await run(solutionProgram('examinerctl task wait verify_a --timeout soon', { nonce: 'n', mode: 'strict', env: {} }), 'n', () => 'ok');
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('expected a duration like 30s or 5m, got "soon"');
  });

  it('gives the script no stdin of its own (the channel is for answers)', async () => {
    const r = await run(solutionProgram('cat; echo "read: $?"', { nonce: 'n', mode: 'strict', env: {} }), 'n', () => 'ok');
    expect(r).toMatchObject({ code: 0, out: 'read: 0\n' });
  });
});

describe('ControlParser', () => {
  const feedAll = (p: ControlParser, chunks: string[]): ControlEvent[] => chunks.flatMap((c) => p.feed(c));

  it('finds a request split across chunks and after output without a newline', () => {
    const events = feedAll(new ControlParser('abc'), ['no newline', '\x1eSAND', 'LOT abc wait verify_x 3', '0s\nafter\n']);
    expect(events).toEqual([
      { type: 'output', text: 'no newline' },
      { type: 'request', request: { verb: 'wait', task: 'verify_x', timeoutMs: 30_000 } },
      { type: 'output', text: 'after\n' },
    ]);
  });

  it('passes through a record separator of the script and marks of another nonce', () => {
    const p = new ControlParser('abc');
    const events = feedAll(p, ['a\x1eb\n', '\x1eSANDLOT zzz wait verify_x -\n']);
    expect(events.map((e) => (e.type === 'output' ? e.text : e.type)).join('')).toBe('a\x1eb\n\x1eSANDLOT zzz wait verify_x -\n');
    expect(p.flush()).toBe('');
  });

  it('reports a request with a bad task name', () => {
    expect(new ControlParser('n').feed('\x1eSANDLOT n wait ../x -\n')).toEqual([
      { type: 'bad-request', error: 'examinerctl task wait: expected a task name, got "../x"' },
    ]);
  });
});

describe('parseDuration', () => {
  it("reads Go's durations", () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('30')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
  });
});
