/**
 * Polls `fn` until it returns without throwing (run your `expect`s inside) and returns its result;
 * after `timeout` ms the last failure is thrown, so the test says what was still wrong. For things
 * that must happen (a worker, a mail, a timer). Never for proving that something did NOT happen:
 * check a definite later state instead (a final row state, a later event that is ordered after it).
 */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  { timeout = 10_000, interval = 50 }: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const until = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= until) throw err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
