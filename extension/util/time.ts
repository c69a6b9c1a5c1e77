/** "1h 05m left", "12m left", "<1m left", "expired": how long until `deadline`. */
export function timeLeft(deadline: string, now = Date.now()): string {
  const ms = Date.parse(deadline) - now;
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1m left';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m left` : `${m}m left`;
}
