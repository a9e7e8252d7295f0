/**
 * Runs `work` on every item with at most `limit` running at once; results keep the items' order.
 *
 * @example
 * const sizes = await mapLimit(files, 8, (file) => stat(file).then((s) => s.size));
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}
