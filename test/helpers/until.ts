/**
 * Waiting for a condition in end-to-end tests: `until(what, check)` polls `check` until it answers
 * (truthy, or with `defined: true` anything but undefined), remembering the last error it threw, and
 * fails naming `what` after the timeout. Never a sleep as an assertion.
 */

export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; defined?: boolean } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 200, defined = false } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (defined ? value !== undefined : value) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
