/**
 * FHIR date / dateTime / instant strings as the range of instants they cover (R4 search.html#date):
 * "2013" is the whole year, "2013-01-10" the whole day ("from 00:00 on 10-Jan 2013 to immediately
 * before 00:00 on 11-Jan 2013"), "…T10:00" the minute, "…T10:00:05" the second, "…T10:00:05.1" the
 * tenth of a second. An `instant` is "a fixed point in time with an interval smaller than the
 * precision of the system": here one millisecond.
 *
 * Ranges are half-open `[low, high)` in epoch milliseconds. Times without an offset, and dates,
 * are read in UTC: the spec says to assume the server's time zone, and this node's is UTC.
 * Sub-millisecond digits are truncated.
 */
import type { NumericRange } from './types.ts';

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Epoch ms of a UTC calendar time; works for years 0–99 (which `Date.UTC` maps to 19xx). */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (y >= 100) return Date.UTC(y, mo, d, h, mi, s, ms);
  const t = new Date(0);
  t.setUTCFullYear(y, mo, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

function daysInMonth(y: number, mo: number): number {
  return new Date(utc(y, mo + 1, 1) - 86_400_000).getUTCDate();
}

/**
 * The range covered by a FHIR date, dateTime or instant, or `undefined` if `value` is not one.
 * `instant: true` makes a value with seconds a 1 ms point (the `instant` datatype's semantics).
 */
export function dateRange(value: string, instant = false): NumericRange | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const y = Number(m[1]);
  if (m[2] === undefined) return { low: utc(y, 0, 1), high: utc(y + 1, 0, 1) };
  const mo = Number(m[2]) - 1;
  if (mo < 0 || mo > 11) return undefined;
  if (m[3] === undefined) return { low: utc(y, mo, 1), high: utc(y, mo + 1, 1) };
  const d = Number(m[3]);
  if (d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (m[4] === undefined) return { low: utc(y, mo, d), high: utc(y, mo, d + 1) };
  const h = Number(m[4]);
  const mi = Number(m[5]);
  if (h > 23 || mi > 59) return undefined;
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (s > 59) return undefined;
  const frac = m[7];
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMs = 0;
  const tz = m[8];
  if (tz !== undefined && tz !== 'Z') {
    const oh = Number(tz.slice(1, 3));
    const om = Number(tz.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMs = (tz[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const low = utc(y, mo, d, h, mi, s, ms) - offsetMs;
  let width: number;
  if (m[6] === undefined) width = 60_000;
  else if (instant || (frac !== undefined && frac.length >= 3)) width = 1;
  else if (frac === undefined) width = 1000;
  else width = 10 ** (3 - frac.length);
  return { low, high: low + width };
}
