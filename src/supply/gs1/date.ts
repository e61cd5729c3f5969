/**
 * GS1 six-digit dates YYMMDD (AIs 11, 12, 13, 15, 16, 17) and the date-time YYMMDDHHMM of AI 7003.
 *
 * - Century (GS1 General Specifications §7.12): with YY the two digits and CC/cc the current year, if
 *   YY − cc is 51…99 the year is in the previous century; if −99…−50, in the next century; otherwise in the
 *   current one. So in 2026, "76" is 2076, "77" is 1977 and "49" is 2049. Pass `today` to make it reproducible.
 * - Day 00 (§3.4.4–§3.4.8): "only year and month are given"; for a best-before or expiry date it means the last
 *   day of the month, so `201200` resolves to 2020-12-31 and `240200` to 2024-02-29.
 */
import { invalid } from '../../shared/errors.ts';

export interface Gs1Date {
  /** The resolved calendar date, ISO 8601 `YYYY-MM-DD` (day 00 resolved to the month's last day). */
  date: string;
  /** False when the day was 00 (only the month was given). */
  dayGiven: boolean;
}

/** The full year for the two digits `yy`, after §7.12, relative to `currentYear` (e.g. 2026). */
export function centuryYear(yy: number, currentYear: number): number {
  const cc = currentYear % 100;
  const century = currentYear - cc;
  const diff = yy - cc;
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

/** Days in `month` (1–12) of `year`, Gregorian. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Parses a GS1 YYMMDD date. `label` names it in errors (e.g. `AI (17)`).
 * @throws DomainError('invalid') for a month outside 01–12 or a day past the month's end.
 */
export function parseGs1Date(yymmdd: string, label: string, currentYear: number, expression?: string[]): Gs1Date {
  const yy = (yymmdd.charCodeAt(0) - 48) * 10 + (yymmdd.charCodeAt(1) - 48);
  const mm = (yymmdd.charCodeAt(2) - 48) * 10 + (yymmdd.charCodeAt(3) - 48);
  const dd = (yymmdd.charCodeAt(4) - 48) * 10 + (yymmdd.charCodeAt(5) - 48);
  if (mm < 1 || mm > 12) throw invalid(`${label} ${yymmdd}: month ${two(mm)} is not 01–12 (the date is YYMMDD)`, expression);
  const year = centuryYear(yy, currentYear);
  const last = daysInMonth(year, mm);
  if (dd > last) throw invalid(`${label} ${yymmdd}: day ${two(dd)} is past the end of ${year}-${two(mm)} (${last} days; 00 means the last day)`, expression);
  return { date: `${year}-${two(mm)}-${two(dd === 0 ? last : dd)}`, dayGiven: dd !== 0 };
}

/** Parses AI 7003's YYMMDDHHMM into an ISO `YYYY-MM-DDTHH:MM` (local to the issuer, no zone). Day 00 is not allowed here. */
export function parseGs1DateTime(value: string, label: string, currentYear: number, expression?: string[]): string {
  const d = parseGs1Date(value.slice(0, 6), label, currentYear, expression);
  if (!d.dayGiven) throw invalid(`${label} ${value}: day 00 is not allowed in a date-time`, expression);
  const hh = Number(value.slice(6, 8));
  const mi = Number(value.slice(8, 10));
  if (hh > 23 || mi > 59) throw invalid(`${label} ${value}: time ${value.slice(6, 8)}:${value.slice(8, 10)} is not a valid HH:MM`, expression);
  return `${d.date}T${value.slice(6, 8)}:${value.slice(8, 10)}`;
}

/** Formats an ISO date `YYYY-MM-DD` as GS1 YYMMDD (the inverse of `parseGs1Date`, day given). */
export function toGs1Date(isoDate: string): string {
  const m = /^\d\d(\d\d)-(\d\d)-(\d\d)$/.exec(isoDate);
  if (!m) throw invalid(`date "${isoDate}": expected YYYY-MM-DD`);
  return `${m[1]}${m[2]}${m[3]}`;
}
