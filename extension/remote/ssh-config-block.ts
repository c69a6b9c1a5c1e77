// The one marked block Sandlot keeps in the user's ~/.ssh/config. Pure text logic (no
// vscode, no fs) so it is unit-tested against many real-world-shaped files.
//
// Guarantees: bytes outside the block never change (the block may move, but removing it
// from the old and the new text gives the same bytes; the only addition outside is a
// final newline when the file lacked one and the block goes at its end); a damaged
// marker pair is repaired only when what lies between is unambiguously ours, otherwise
// refused with an error naming the line — never a guess that could eat user lines.
//
// Each physical line is parsed with the `ssh-config` package (OpenSSH's config has no
// continuation lines, so a line is a complete unit), which keeps exact byte offsets.
import SSHConfig, { type Directive } from 'ssh-config';
import { HOST_ALIAS_PREFIX } from '../../host-agent/api/protocol';
import { renderHostSections, SshConfigBlockError, type SshHostEntry } from '../../host-agent/ssh/host-block';

export { SshConfigBlockError, type SshHostEntry };

export const BEGIN_MARKER = '# --- BEGIN SANDLOT ---';
export const END_MARKER = '# --- END SANDLOT ---';

export interface BlockUpdate {
  text: string;
  changed: boolean;
  /** What was wrong with the markers and how it was fixed (for the log). */
  repaired: string[];
  /** Things in the user's file that may override the block's settings. */
  warnings: string[];
}

type LineKind =
  | { kind: 'blank' }
  | { kind: 'comment'; marker?: 'begin' | 'end' }
  | { kind: 'section'; keyword: 'host' | 'match'; patterns: string[] }
  | { kind: 'directive'; param: string; value: string };

interface PhysicalLine {
  /** Start offset in the text. */
  start: number;
  /** End offset including the line's EOL. */
  end: number;
  /** Content without the EOL. */
  body: string;
  info: LineKind;
}

function valueText(v: Directive['value']): string[] {
  if (typeof v === 'string') return [v];
  return v.map((p) => p.val);
}

function classify(body: string): LineKind {
  const parsed = SSHConfig.parse(body);
  const line = parsed[0];
  if (!line || line.type === SSHConfig.EMPTY) return { kind: 'blank' };
  if (line.type === SSHConfig.COMMENT) {
    const text = line.content.replace(/^#/, '').trim();
    if (text === BEGIN_MARKER.slice(1).trim()) return { kind: 'comment', marker: 'begin' };
    if (text === END_MARKER.slice(1).trim()) return { kind: 'comment', marker: 'end' };
    return { kind: 'comment' };
  }
  const param = line.param.toLowerCase();
  const values = valueText(line.value);
  if (param === 'host' || param === 'match') return { kind: 'section', keyword: param, patterns: values };
  return { kind: 'directive', param, value: values.join(' ') };
}

function splitLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl + 1;
    const body = text.slice(start, nl === -1 ? text.length : nl).replace(/\r$/, '');
    lines.push({ start, end, body, info: classify(body) });
    start = end;
  }
  return lines;
}

/** The file's line ending: CRLF when its first line ends so, else LF. */
export function detectEol(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

function markerOf(line: PhysicalLine | undefined): 'begin' | 'end' | undefined {
  return line?.info.kind === 'comment' ? line.info.marker : undefined;
}

function isSandlotSection(info: LineKind): boolean {
  return info.kind === 'section' && info.keyword === 'host' && info.patterns.length > 0 && info.patterns.every((p) => p.startsWith(HOST_ALIAS_PREFIX));
}

interface Region {
  from: number; // line index, inclusive
  to: number; // line index, exclusive
}

/**
 * Finds every Sandlot block (as line ranges). A well-formed BEGIN…END pair is trusted
 * whatever it holds. A BEGIN whose END is missing (or followed by another BEGIN) is
 * repaired only when the lines after it are Sandlot host sections, comments and blank
 * lines up to the next user section, the next marker, or the end of the file.
 */
function findRegions(lines: PhysicalLine[], file: string, repaired: string[]): Region[] {
  const regions: Region[] = [];
  let i = 0;
  while (i < lines.length) {
    const marker = markerOf(lines[i]);
    if (marker === 'end') {
      throw new SshConfigBlockError(
        `${file}:${i + 1}: "${END_MARKER}" without a "${BEGIN_MARKER}" above it; remove that line (or restore the BEGIN line), then try again. The file was not changed.`,
      );
    }
    if (marker !== 'begin') {
      i++;
      continue;
    }
    const begin = i;
    let j = i + 1;
    while (j < lines.length && !markerOf(lines[j])) j++;
    if (markerOf(lines[j]) === 'end') {
      regions.push({ from: begin, to: j + 1 });
      i = j + 1;
      continue;
    }
    // No END before the next BEGIN or the end of the file: walk our sections.
    let k = begin + 1;
    let lastOurs = begin; // last line that certainly belongs to a Sandlot section
    let inOurSection = false;
    for (; k < j; k++) {
      const l = lines[k].info;
      if (l.kind === 'section') {
        if (!isSandlotSection(l)) break;
        inOurSection = true;
        lastOurs = k;
      } else if (l.kind === 'directive') {
        if (!inOurSection) {
          throw new SshConfigBlockError(
            `${file}:${begin + 1}: "${BEGIN_MARKER}" has no "${END_MARKER}", and line ${k + 1} ("${lines[k].body.trim()}") is not something Sandlot writes; put the END marker back where the Sandlot block ends, then try again. The file was not changed.`,
          );
        }
        lastOurs = k;
      }
    }
    // Trailing comments and blank lines before a user section stay the user's.
    const end = k < j ? lastOurs + 1 : j === lines.length ? lastOurs + 1 : j;
    const stoppedAt = k < j ? `before line ${k + 1}` : j < lines.length ? `before the next BEGIN marker (line ${j + 1})` : 'at the end of the file';
    repaired.push(`${file}:${begin + 1}: BEGIN marker without an END marker; the Sandlot block was taken to end ${stoppedAt}`);
    regions.push({ from: begin, to: end });
    i = j;
  }
  if (regions.length > 1) {
    repaired.push(`${file}: ${regions.length} Sandlot blocks found (lines ${regions.map((r) => r.from + 1).join(', ')}); merged into one`);
  }
  return regions;
}

/** Directives that, set before the block for every host, override what the block says. */
const OVERRIDABLE = new Set([
  'user',
  'hostname',
  'port',
  'identityfile',
  'identitiesonly',
  'proxycommand',
  'proxyjump',
  'stricthostkeychecking',
  'userknownhostsfile',
  'hostkeyalias',
  'include',
]);

/** Removes every Sandlot block (for tests and the before-write check). */
export function stripSandlotBlocks(text: string, file = 'ssh config'): string {
  const lines = splitLines(text);
  const regions = findRegions(lines, file, []);
  return cut(text, lines, regions);
}

function cut(text: string, lines: PhysicalLine[], regions: Region[]): string {
  let out = '';
  let pos = 0;
  for (const r of regions) {
    const from = lines[r.from].start;
    const to = r.to < lines.length ? lines[r.to].start : text.length;
    out += text.slice(pos, from);
    pos = to;
  }
  return out + text.slice(pos);
}

/** The block's text: the markers around the machines' Host sections, every line ending in `eol`. */
export function renderBlock(entries: SshHostEntry[], eol: '\n' | '\r\n' = '\n'): string {
  const head = [BEGIN_MARKER, '# Written by Sandlot for its playground machines; lines between these markers are replaced.'].map((l) => l + eol).join('');
  return head + renderHostSections(entries, eol) + END_MARKER + eol;
}

/**
 * Returns the config text with exactly one Sandlot block holding `entries` (or none when
 * `entries` is empty), placed before the first `Host`/`Match` section so that a user's
 * `Host *` cannot override it (OpenSSH keeps the first value it sees).
 */
export function updateSandlotBlock(text: string, entries: SshHostEntry[], file = '~/.ssh/config'): BlockUpdate {
  const repaired: string[] = [];
  const warnings: string[] = [];
  const lines = splitLines(text);
  const regions = findRegions(lines, file, repaired);
  const outside = cut(text, lines, regions);
  const eol = detectEol(text);

  if (entries.length === 0) {
    return { text: outside, changed: outside !== text, repaired, warnings };
  }

  const rest = splitLines(outside);
  const firstSection = rest.findIndex((l) => l.info.kind === 'section');
  for (const l of firstSection === -1 ? rest : rest.slice(0, firstSection)) {
    if (l.info.kind === 'directive' && OVERRIDABLE.has(l.info.param)) {
      warnings.push(`${file}: "${l.body.trim()}" before every Host section applies to all hosts first and may override the Sandlot block`);
    }
  }
  const block = renderBlock(entries, eol);
  let result: string;
  if (firstSection === -1) {
    const needsNewline = outside.length > 0 && !outside.endsWith('\n');
    result = outside + (needsNewline ? eol : '') + block;
  } else {
    const at = rest[firstSection].start;
    result = outside.slice(0, at) + block + outside.slice(at);
  }
  // Belt and braces: never write a file whose bytes outside the block differ.
  const check = stripSandlotBlocks(result, file);
  if (check !== outside && check !== outside + eol) {
    throw new SshConfigBlockError(`${file}: internal check failed (bytes outside the Sandlot block would change); nothing was written`);
  }
  return { text: result, changed: result !== text, repaired, warnings };
}
