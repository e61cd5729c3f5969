/**
 * The DSCSA clocks, pure:
 * - **24 hours**: a trading partner that determines a product is illegitimate notifies FDA (Form FDA
 *   3911) and its immediate trading partners "not later than 24 hours after making such determination"
 *   (FD&C Act §582(b)(4)(B)(ii), (c)(4)(B)(ii), (d)(4)(B)(ii), (e)(4)(B)(ii)).
 * - **one business day**: a trading partner answers a request for transaction information and
 *   statements from FDA (or a federal or state official) about a suspect or illegitimate product
 *   "not later than 1 business day" after the request (§582(b)(1)(B), (c)(1)(C), (d)(1)(C), (e)(1)(C)).
 *
 * Business days are Monday to Friday except US federal holidays (5 U.S.C. 6103, with the observed
 * Friday/Monday when a fixed-date holiday falls on a weekend). Times are UTC: a node has no notion of
 * its organization's time zone, and UTC only ever makes the deadline earlier than a US time zone's.
 */

export const NOTIFY_WITHIN_MS = 24 * 3600_000;

const DAY = 86_400_000;
const utcDay = (y: number, m: number, d: number) => Date.UTC(y, m, d);
const weekday = (ms: number) => new Date(ms).getUTCDay();

/** The `n`-th `dow` (0 = Sunday) of month `m` (0-based) of year `y`; n = -1 is the last. */
function nthWeekday(y: number, m: number, dow: number, n: number): number {
  if (n > 0) {
    const first = utcDay(y, m, 1);
    return first + (((dow - weekday(first) + 7) % 7) + (n - 1) * 7) * DAY;
  }
  const last = utcDay(y, m + 1, 0);
  return last - ((weekday(last) - dow + 7) % 7) * DAY;
}

/** A fixed-date holiday observed on the Friday before or Monday after when it falls on a weekend. */
function observed(ms: number): number {
  const d = weekday(ms);
  return d === 6 ? ms - DAY : d === 0 ? ms + DAY : ms;
}

const cache = new Map<number, Set<number>>();

/** The US federal holidays (observed dates, as UTC midnights) of a year. */
export function federalHolidays(year: number): Set<number> {
  let set = cache.get(year);
  if (!set) {
    set = new Set([
      observed(utcDay(year, 0, 1)), // New Year's Day
      nthWeekday(year, 0, 1, 3), // Birthday of Martin Luther King, Jr.
      nthWeekday(year, 1, 1, 3), // Washington's Birthday
      nthWeekday(year, 4, 1, -1), // Memorial Day
      observed(utcDay(year, 5, 19)), // Juneteenth
      observed(utcDay(year, 6, 4)), // Independence Day
      nthWeekday(year, 8, 1, 1), // Labor Day
      nthWeekday(year, 9, 1, 2), // Columbus Day
      observed(utcDay(year, 10, 11)), // Veterans Day
      nthWeekday(year, 10, 4, 4), // Thanksgiving Day
      observed(utcDay(year, 11, 25)), // Christmas Day
    ]);
    // New Year's Day of next year observed on Friday 31 December of this one.
    const nextNewYear = observed(utcDay(year + 1, 0, 1));
    if (new Date(nextNewYear).getUTCFullYear() === year) set.add(nextNewYear);
    cache.set(year, set);
  }
  return set;
}

/** Is the UTC day of `ms` a business day? */
export function isBusinessDay(ms: number): boolean {
  const midnight = Math.floor(ms / DAY) * DAY;
  const d = weekday(midnight);
  return d !== 0 && d !== 6 && !federalHolidays(new Date(midnight).getUTCFullYear()).has(midnight);
}

/**
 * When an answer to a request received at `receivedMs` is due: the same time on the next business
 * day; a request received on a day that is not a business day counts from the start of the next one,
 * so it is due at the end of that business day.
 */
export function oneBusinessDayAfter(receivedMs: number): number {
  let start = receivedMs;
  if (!isBusinessDay(start)) {
    let day = Math.floor(start / DAY) * DAY + DAY;
    while (!isBusinessDay(day)) day += DAY;
    return day + DAY - 1;
  }
  let next = start + DAY;
  while (!isBusinessDay(next)) next += DAY;
  return next;
}

/** `n` business days after `fromMs` (same time of day). */
export function businessDaysAfter(fromMs: number, n: number): number {
  let t = fromMs;
  for (let i = 0; i < n; i++) {
    t += DAY;
    while (!isBusinessDay(t)) t += DAY;
  }
  return t;
}
