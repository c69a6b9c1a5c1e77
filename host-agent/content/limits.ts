// How much one piece of content may make the agent read and parse. Content comes from
// anyone (a folder a learner downloaded), and every byte of markdown costs parse time and
// heap in the agent: without caps one 27 MB step stalled the agent for minutes, then
// exhausted its heap. The caps sit well above real content (iximiuz Labs tutorials are
// tens of KB — the longest known, iximiuz Labs' own sample tutorial, is 64 KB —, a long
// course a few hundred KB) and well below what hurts.

export interface ContentLimits {
  /**
   * One markdown, JSON or YAML file that gets parsed. Parsing takes about 600 bytes of
   * heap per byte of markdown (remark's syntax tree with positions), so this cap and the
   * worker's heap limit go together.
   */
  textBytes: number;
  /** One paragraph (lines without a blank line): inline parsing is quadratic per paragraph. */
  paragraphBytes: number;
  /**
   * One task script read from its own file (Killercoda `verify.sh`, …) or written in front
   * matter. Scripts travel base64-encoded in the SSH command line, and Linux caps one
   * argument at 128 KiB (MAX_ARG_STRLEN), so a bigger script could never run anyway.
   */
  scriptBytes: number;
  /** One image or asset (checked, never parsed). */
  assetBytes: number;
  /**
   * Killercoda assets copied into one machine. They travel inside an init task's program,
   * in the SSH command line (base64 twice: 48 KiB become ~85 KiB of the 128 KiB allowed).
   */
  uploadBytes: number;
  /** Everything parsed for one content (all its markdown and scripts together). */
  totalTextBytes: number;
  /** Every image and asset one content refers to, together. */
  totalAssetBytes: number;
  /** Files and folders one content (a course, a skill path) may consist of. */
  entries: number;
  /** Wall time for reading and parsing one content in the worker. */
  parseMs: number;
  /** Heap of the worker that parses content (V8 old generation). */
  parseHeapMb: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const CONTENT_LIMITS: Readonly<ContentLimits> = Object.freeze({
  textBytes: 256 * KiB,
  paragraphBytes: 32 * KiB,
  scriptBytes: 64 * KiB,
  assetBytes: 16 * MiB,
  uploadBytes: 48 * KiB,
  totalTextBytes: 4 * MiB,
  totalAssetBytes: 128 * MiB,
  entries: 2000,
  parseMs: 30_000,
  parseHeapMb: 384,
});

/** `1.3 MB`, `640 KiB`: sizes in messages, in the unit the cap was set in. */
export function formatBytes(n: number): string {
  if (n >= MiB) return `${+(n / MiB).toFixed(1)} MiB`;
  if (n >= KiB) return `${+(n / KiB).toFixed(1)} KiB`;
  return `${n} bytes`;
}
