// Bucket arithmetic and formatting. Buckets are UTC and every granularity divides a day, so a
// bucket boundary is a multiple of the bucket's length in epoch milliseconds.

export const BUCKET_MS = {minute: 60_000, hour: 3_600_000, day: 86_400_000};

/** query-service's default lambda.query.max-series-buckets: a longer series is refused with a 400. */
export const MAX_SERIES_BUCKETS = 10_000;
/** query-service's default lambda.query.top.max-buckets. */
export const MAX_TOP_BUCKETS = 400;

/**
 * The whole buckets covering the last {@code rangeMs} up to now, the current bucket included:
 * what the series is asked for (aligned, so the service answers exactly this range).
 */
export function bucketRange(nowMs, rangeMs, granularity) {
  const size = BUCKET_MS[granularity];
  const to = Math.floor(nowMs / size) * size + size;
  const from = Math.floor((nowMs - rangeMs) / size) * size;
  return {from, to, buckets: (to - from) / size};
}

/**
 * The granularity the top list folds over the same range: the finest the view keeps that stays
 * within the service's top-N bucket bound (a 24 h minute range would be 1,441 buckets).
 */
export function topRange(nowMs, rangeMs, granularities) {
  const finestFirst = [...granularities].sort((a, b) => BUCKET_MS[a] - BUCKET_MS[b]);
  for (const granularity of finestFirst) {
    const range = bucketRange(nowMs, rangeMs, granularity);
    if (range.buckets <= MAX_TOP_BUCKETS) {
      return {...range, granularity};
    }
  }
  const coarsest = finestFirst[finestFirst.length - 1];
  return {...bucketRange(nowMs, rangeMs, coarsest), granularity: coarsest};
}

export function iso(ms) {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** "2026-11-26 10:07:31 UTC": the service's buckets and cuts are UTC, so the page says UTC too. */
export function utc(instant) {
  if (instant === null || instant === undefined) {
    return null;
  }
  const text = new Date(instant).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 19)} UTC`;
}

/** "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h": an age or a lag. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) {
    return null;
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  }
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
