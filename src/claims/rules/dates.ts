/**
 * Calendar-date arithmetic on ISO `YYYY-MM-DD` strings, in UTC days (a date of service has no time
 * zone). FHIR `dateTime`s are cut to their written date (`2012-12-29T01:20:07+00:00` →
 * `2012-12-29`): the date as the provider recorded it, FHIR R4 §2.24.0.0 (dateTime).
 */
import type { IsoDate } from './types.ts';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a date; `setUTCFullYear` because `Date.UTC` maps years 0–99 to 1900–1999. */
function utc(y: number, month: number, d: number): Date {
  const t = new Date(0);
  t.setUTCFullYear(y, month - 1, d);
  return t;
}

/** True if `s` is a real calendar date `YYYY-MM-DD`. */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = utc(y, mo, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * The date part of a FHIR `date` or `dateTime`. A partial date (`2014`, `2014-08`) becomes its first
 * day. Returns null for anything else.
 */
export function fhirDate(value: unknown): IsoDate | null {
  if (typeof value !== 'string') return null;
  const d = value.length >= 10 ? value.slice(0, 10) : value.length === 7 ? `${value}-01` : value.length === 4 ? `${value}-01-01` : '';
  return isIsoDate(d) ? d : null;
}

/** Days since 1970-01-01. */
export function dayNumber(date: IsoDate): number {
  return Math.floor(utc(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))).getTime() / DAY_MS);
}

export function fromDayNumber(day: number): IsoDate {
  const t = new Date(day * DAY_MS);
  return `${String(t.getUTCFullYear()).padStart(4, '0')}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Whole days from `a` to `b` (positive if `b` is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return dayNumber(b) - dayNumber(a);
}

/** Age in whole years on `date` for someone born on `birth` (birthday on Feb 29 counts from Mar 1). */
export function ageOn(birth: IsoDate, date: IsoDate): number {
  let age = Number(date.slice(0, 4)) - Number(birth.slice(0, 4));
  if (date.slice(5) < birth.slice(5)) age--;
  return age;
}

/** Every date from `from` to `to`, inclusive (`to` before `from` gives none). */
export function eachDate(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = dayNumber(from), end = dayNumber(to); d <= end; d++) out.push(fromDayNumber(d));
  return out;
}
