/** EKS calls are made this many at a time: quick, and well under the API's throttling limits. */
export const parallelCalls = 8;

/** Runs `work` over the items, `size` at a time, keeping each outcome (one failure stops nothing). */
export async function settledInBatches<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
  size = parallelCalls,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  for (let start = 0; start < items.length; start += size)
    results.push(...(await Promise.allSettled(items.slice(start, start + size).map(work))));
  return results;
}
