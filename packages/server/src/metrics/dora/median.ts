/**
 * The lower median, as DevLake takes it (`max(x) where percent_rank() <= 0.5`): the value at
 * position floor((n − 1) / 2) of the sorted values, never an average of two.
 */
export function lowerMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The lower median of values given as (value, count) pairs sorted by value, without expanding them. */
export function lowerMedianOfHistogram(histogram: readonly { minutes: number; count: number }[]): number | null {
  const total = histogram.reduce((sum, h) => sum + h.count, 0);
  if (total === 0) return null;
  const position = Math.floor((total - 1) / 2);
  let seen = 0;
  for (const { minutes, count } of histogram) {
    seen += count;
    if (seen > position) return minutes;
  }
  return histogram.at(-1)!.minutes;
}
