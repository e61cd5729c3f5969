/**
 * The implicit range of a decimal (R4 search.html#number): "Searching on decimals involves an
 * implicit range. The number of significant digits of the implicit range is the number of digits
 * specified in the search parameter value, excluding leading zeros": `100` is `[99.5, 100.5)`,
 * `100.00` is `[99.995, 100.005)`, `5.40e-3` is `[0.005395, 0.005405)`, i.e. half a unit of the
 * last significant digit either side.
 *
 * Deviation, stated: the spec's own example gives `1e2` the range `[95, 105)`; half a unit of its
 * single significant digit is `[50, 150)`, which is what this returns (and what the rule above says).
 *
 * The bounds are computed in decimal (BigInt mantissa, then one decimal→double rounding), so
 * `5.4` gives exactly the doubles nearest to 5.35 and 5.45.
 */
import type { NumericRange } from './types.ts';

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export interface DecimalRange extends NumericRange {
  readonly value: number;
}

/** A decimal literal's value and implicit range, or `undefined` if it is not a decimal. */
export function decimalRange(literal: string): DecimalRange | undefined {
  const m = DECIMAL_RE.exec(literal);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const frac = m[3] ?? '';
  const mantissa = sign * BigInt(m[2]! + frac);
  const scale = Number(m[4] ?? 0) - frac.length;
  const value = Number(literal);
  if (!Number.isFinite(value)) return undefined;
  const low = Number(`${mantissa * 10n - 5n}e${scale - 1}`);
  const high = Number(`${mantissa * 10n + 5n}e${scale - 1}`);
  return { value, low, high };
}

/**
 * The implicit range of a number read from JSON. JSON parsing keeps no trailing zeros (`2.0` reads
 * as `2`), so the precision is that of the shortest form of the double (`String(n)`).
 */
export function numberRange(n: number): DecimalRange | undefined {
  if (!Number.isFinite(n)) return undefined;
  return decimalRange(String(n));
}
