// Time left until a playground's deadline, as the panel's live countdown shows it.

export interface Countdown {
  /** `1:59:58`, `04:07`, or `expired`. */
  text: string;
  /** `ok`, `low` (under 10 minutes: time to extend) or `expired`. */
  level: 'ok' | 'low' | 'expired';
  /** Whole seconds left, 0 once expired (NaN deadline: 0). */
  seconds: number;
}

const LOW_SECONDS = 10 * 60;

export function countdown(deadline: string, now: number): Countdown {
  const ms = Date.parse(deadline) - now;
  if (Number.isNaN(ms)) return { text: '—', level: 'expired', seconds: 0 };
  // Floor, like a kitchen timer: under one second left already reads as expired.
  const seconds = Math.floor(ms / 1000);
  if (seconds <= 0) return { text: 'expired', level: 'expired', seconds: 0 };
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const text = h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
  return { text, level: seconds < LOW_SECONDS ? 'low' : 'ok', seconds };
}

/** `1.0 GiB`, `312 MiB`, `48 KiB`: a byte count for people. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
