// Steps of one user journey: each builds on the one before, so after a failure the rest
// fail at once ("not run: … failed") instead of each waiting out its own timeout, and
// the failing step leaves a screenshot.
import { it } from 'vitest';

export function journey(screenshot: (name: string) => Promise<unknown>): (name: string, fn: () => Promise<void>) => void {
  let failed: string | undefined;
  return (name, fn) =>
    it(name, async () => {
      if (failed) throw new Error(`not run: "${failed}" failed`);
      try {
        await fn();
      } catch (err) {
        failed = name;
        await screenshot(`failed-${name.split(' ').slice(0, 3).join('-')}`).catch(() => undefined);
        throw err;
      }
    });
}
