// How a solution script running in a machine talks to `sandlot content test` on the host.
// iximiuz Labs' scripts call `examinerctl task wait <task> [--timeout 30s]` and
// `… | examinerctl task input <task>`, which on iximiuz Labs talk to the examiner inside
// the VM. Here `examinerctl` is a shell function put in front of the script: it writes one
// request line (marked with a per-run nonce) to stdout and blocks reading the answer from
// fd 3, which is the SSH channel's stdin — the test, reading the channel's stdout, does
// the waiting or answering through the agent's API and writes `ok` or `fail <why>` back.
// The script itself keeps its shell state (variables, cwd) across waits, as on iximiuz Labs.
import { shellQuote } from '../../tasks/template';

export type ControlRequest = { verb: 'wait'; task: string; timeoutMs?: number } | { verb: 'input'; task: string; value: string };

export interface ProgramOptions {
  nonce: string;
  /** `strict` adds `set -euo pipefail` as iximiuz Labs' tester does; `terminal` lets every command run. */
  mode: 'strict' | 'terminal';
  /** Exported to the script (SANDLOT_TEST_RUN, SANDLOT_TEST_REPEAT, …). */
  env: Record<string, string>;
}

const MARK = '\x1eSANDLOT';

/** The program run in the machine: the control channel, `examinerctl`, the environment, then the script. */
export function solutionProgram(script: string, o: ProgramOptions): string {
  const exports = Object.entries(o.env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
  // The shim hides its own lines from `set -x` (it would trace every read) and restores it.
  const shim = `__sandlot_ask() {
  printf '\\036SANDLOT %s %s\\n' ${shellQuote(o.nonce)} "$*"
  __sandlot_reply=
  IFS= read -r __sandlot_reply <&3 || { echo "examinerctl: content test went away" >&2; return 1; }
  case "$__sandlot_reply" in ok) return 0 ;; *) echo "examinerctl: \${__sandlot_reply#fail }" >&2; return 1 ;; esac
}
examinerctl() {
  { __sandlot_x=$-; set +x; } 2>/dev/null
  __sandlot_rc=0
  case "\${1-} \${2-}" in
    "task wait")
      shift 2; __sandlot_task=; __sandlot_to=-
      while [ $# -gt 0 ]; do
        case "$1" in
          --timeout) __sandlot_to="\${2-}"; shift 2 || shift ;;
          --timeout=*) __sandlot_to="\${1#--timeout=}"; shift ;;
          -*) shift ;;
          *) __sandlot_task="$1"; shift ;;
        esac
      done
      __sandlot_ask wait "$__sandlot_task" "$__sandlot_to" || __sandlot_rc=$? ;;
    "task input")
      __sandlot_ask input "\${3-}" "$(base64 | tr -d '\\n')" || __sandlot_rc=$? ;;
    *)
      echo "examinerctl: Sandlot's content test knows 'task wait <task> [--timeout D]' and 'task input <task>' (got: $*)" >&2
      __sandlot_rc=2 ;;
  esac
  case "$__sandlot_x" in *x*) set -x ;; esac
  return $__sandlot_rc
}`;
  const strict = o.mode === 'strict' ? '(set -o pipefail) 2>/dev/null && set -o pipefail\nset -eux\n' : 'set -x\n';
  // fd 3 keeps the channel's stdin for answers; the script reads nothing from it by accident.
  return `exec 3<&0 </dev/null\n${shim}\n${exports}\ncd ~ 2>/dev/null || true\n${strict}${script}\n`;
}

/** Go's duration syntax as `examinerctl --timeout` takes it: `30s`, `5m`, `1m30s`, `1h`, `500ms`. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

function parseRequest(line: string): ControlRequest | { error: string } {
  const [verb, task = '', arg = ''] = line.split(' ');
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(task)) return { error: `examinerctl task ${verb}: expected a task name, got ${JSON.stringify(task)}` };
  if (verb === 'wait') {
    if (arg === '-' || arg === '') return { verb, task };
    const ms = parseDuration(arg);
    return ms === undefined
      ? { error: `examinerctl task wait --timeout: expected a duration like 30s or 5m, got ${JSON.stringify(arg)}` }
      : { verb, task, timeoutMs: ms };
  }
  if (verb === 'input') return { verb, task, value: Buffer.from(arg, 'base64').toString('utf8') };
  return { error: `unknown examinerctl request ${JSON.stringify(verb)}` };
}

export type ControlEvent = { type: 'output'; text: string } | { type: 'request'; request: ControlRequest } | { type: 'bad-request'; error: string };

/**
 * Splits a script's stdout into its own output and control requests. A request may arrive
 * in pieces and in the middle of a line (after `echo -n`), so the parser keeps what could
 * still become one.
 */
export class ControlParser {
  private buffer = '';
  private readonly mark: string;

  constructor(nonce: string) {
    this.mark = `${MARK} ${nonce} `;
  }

  feed(chunk: string): ControlEvent[] {
    this.buffer += chunk;
    const out: ControlEvent[] = [];
    for (;;) {
      const at = this.buffer.indexOf('\x1e');
      if (at < 0) {
        if (this.buffer) out.push({ type: 'output', text: this.buffer });
        this.buffer = '';
        return out;
      }
      if (at > 0) out.push({ type: 'output', text: this.buffer.slice(0, at) });
      this.buffer = this.buffer.slice(at);
      if (this.buffer.length < this.mark.length) {
        if (this.mark.startsWith(this.buffer)) return out; // may become a request
      } else if (this.buffer.startsWith(this.mark)) {
        const nl = this.buffer.indexOf('\n');
        if (nl < 0) return out;
        const parsed = parseRequest(this.buffer.slice(this.mark.length, nl));
        out.push('error' in parsed ? { type: 'bad-request', error: parsed.error } : { type: 'request', request: parsed });
        this.buffer = this.buffer.slice(nl + 1);
        continue;
      }
      // Not ours: the record separator was the script's own output.
      out.push({ type: 'output', text: '\x1e' });
      this.buffer = this.buffer.slice(1);
    }
  }

  /** What is left when the stream ends (a partial mark is output after all). */
  flush(): string {
    const rest = this.buffer;
    this.buffer = '';
    return rest;
  }
}
