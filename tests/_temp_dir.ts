/** A temporary directory for one test, removed afterwards. */

/**
 * Run `fn` with a fresh temporary directory, then remove it.
 *
 * @param fn The test body.
 * @param prefix Directory name prefix. Default `simvqgan_test_`.
 */
export async function withTempDir(fn: (dir: string) => Promise<void>, prefix = "simvqgan_test_"): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
