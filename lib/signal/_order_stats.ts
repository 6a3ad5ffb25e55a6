/**
 * Order statistics without a full sort: an exact median and MAD of int16
 * samples from a 65,536-bin histogram (O(n)), and a quickselect median for
 * floating-point samples.
 *
 * @module
 */

/** Number of distinct int16 values. */
const INT16_VALUES = 65536;
/** Added to an int16 value to index the histogram. */
const INT16_BIAS = 32768;
/** Quickselect falls back to sorting below this many elements. */
const SORT_BELOW = 32;

/** Robust stats of int16 samples, in ADC units. */
export interface AdcOrderStats {
  /** Number of samples. */
  readonly numSamples: number;
  /** Smallest sample. */
  readonly minAdc: number;
  /** Largest sample. */
  readonly maxAdc: number;
  /** The lower of the two middle values (the median itself for an odd count). */
  readonly lowerMedianAdc: number;
  /** The upper of the two middle values (the median itself for an odd count). */
  readonly upperMedianAdc: number;
  /** Median: the mean of the two middle values, so possibly x.5. */
  readonly medianAdc: number;
  /** Median absolute deviation from {@linkcode medianAdc} (possibly x.5). */
  readonly madAdc: number;
}

/**
 * Exact min, max, median and MAD of int16 samples through a counting
 * histogram: one pass over the samples plus two passes over the bins.
 *
 * @param adc At least one sample.
 * @returns The stats in ADC units.
 */
export function adcOrderStats(adc: Int16Array): AdcOrderStats {
  const n = adc.length;
  if (n === 0) throw new RangeError("Cannot compute order stats: no samples");
  const counts = new Uint32Array(INT16_VALUES);
  for (let i = 0; i < n; i++) counts[adc[i]! + INT16_BIAS]!++;
  let lo = 0;
  while (counts[lo] === 0) lo++;
  let hi = INT16_VALUES - 1;
  while (counts[hi] === 0) hi--;
  const lowerMedian = kthBin(counts, lo, hi, (n - 1) >> 1);
  const upperMedian = kthBin(counts, lo, hi, n >> 1);
  // Twice the median, as an integer: the sum of the two middle values.
  const twiceMedian = lowerMedian + upperMedian;
  // Deviations doubled, |2v − 2m|, are integers in [0, 2·65535].
  const deviations = new Uint32Array(2 * INT16_VALUES);
  let devHi = 0;
  for (let v = lo; v <= hi; v++) {
    const c = counts[v]!;
    if (c === 0) continue;
    const d = Math.abs(2 * v - twiceMedian);
    deviations[d]! += c;
    if (d > devHi) devHi = d;
  }
  const sumOfMiddleDeviations = kthBin(deviations, 0, devHi, (n - 1) >> 1) + kthBin(deviations, 0, devHi, n >> 1);
  return {
    numSamples: n,
    minAdc: lo - INT16_BIAS,
    maxAdc: hi - INT16_BIAS,
    lowerMedianAdc: lowerMedian - INT16_BIAS,
    upperMedianAdc: upperMedian - INT16_BIAS,
    medianAdc: twiceMedian / 2 - INT16_BIAS,
    madAdc: sumOfMiddleDeviations / 4,
  };
}

/** Index of the bin holding the k-th (0-based) smallest element. */
function kthBin(counts: Uint32Array, lo: number, hi: number, k: number): number {
  let seen = 0;
  for (let v = lo; v <= hi; v++) {
    seen += counts[v]!;
    if (seen > k) return v;
  }
  throw new RangeError(`Cannot select element ${k}: histogram holds ${seen}`);
}

/**
 * Median of `values` (mean of the two middle ones for an even count),
 * reordering `values` in place.
 *
 * @param values At least one value, none NaN.
 * @returns The median.
 */
export function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n === 0) throw new RangeError("Cannot compute a median: no values");
  const k = (n - 1) >> 1;
  select(values, k);
  const lower = values[k]!;
  if (n % 2 === 1) return lower;
  // After selection every element right of k is ≥ values[k]; the next order statistic is their minimum.
  let upper = Infinity;
  for (let i = k + 1; i < n; i++) if (values[i]! < upper) upper = values[i]!;
  return (lower + upper) / 2;
}

/**
 * Reorder `a` so that `a[k]` holds the k-th smallest value, smaller ones left
 * of it and larger ones right (quickselect with median-of-three pivots; it
 * sorts the remaining range when the partitions stop shrinking).
 */
function select(a: Float64Array, k: number): void {
  let left = 0;
  let right = a.length - 1;
  let budget = 2 * Math.ceil(Math.log2(a.length + 1)) + 8;
  while (right - left >= SORT_BELOW) {
    if (budget-- === 0) break;
    const mid = (left + right) >>> 1;
    // Median of three into a[mid].
    if (a[mid]! < a[left]!) swap(a, mid, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[mid]!) swap(a, right, mid);
    const pivot = a[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
  a.subarray(left, right + 1).sort();
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
