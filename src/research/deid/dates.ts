/**
 * Dates and ages under Safe Harbor, 45 CFR §164.514(b)(2)(i)(C): "All elements of dates (except
 * year) for dates directly related to an individual … and all ages over 89 and all elements of dates
 * (including year) indicative of such age, except that such ages and elements may be aggregated into
 * a single category of age 90 or older."
 */

const YEAR = /^(\d{4})(?:-|$)/;

/** The year of a FHIR `date`, `dateTime` or `instant` (`"2019-04-16T08:00:00Z"` → 2019), or undefined if malformed. */
export function yearOf(value: string): number | undefined {
  const m = YEAR.exec(value);
  return m ? Number(m[1]) : undefined;
}

/**
 * A FHIR `date`/`dateTime` reduced to its year (`"YYYY"`, valid for both types). With `floorYear`,
 * years before it become `floorYear`: used for people aged 90 or over, whose early records would
 * otherwise imply their age (HHS guidance: the birth year of such a person is reported as "on or
 * before" a year). Undefined for a value that does not start with a year.
 */
export function reduceToYear(value: string, floorYear?: number): string | undefined {
  const y = yearOf(value);
  if (y === undefined) return undefined;
  return String(floorYear !== undefined && y < floorYear ? floorYear : y).padStart(4, '0');
}

/** UCUM codes and common unit words for durations, as a fraction of a year. */
const YEARS_PER_UNIT: Record<string, number> = {
  a: 1,
  year: 1,
  years: 1,
  yr: 1,
  yrs: 1,
  y: 1,
  mo: 1 / 12,
  month: 1 / 12,
  months: 1 / 12,
  wk: 7 / 365.25,
  week: 7 / 365.25,
  weeks: 7 / 365.25,
  d: 1 / 365.25,
  day: 1 / 365.25,
  days: 1 / 365.25,
  h: 1 / 8766,
  hour: 1 / 8766,
  hours: 1 / 8766,
  min: 1 / 525960,
};

/** An age `Quantity` in years, from its UCUM `code` or else its `unit`; undefined when the unit is not a duration. */
export function ageInYears(q: { value?: unknown; code?: unknown; unit?: unknown }): number | undefined {
  if (typeof q.value !== 'number') return undefined;
  const unit = typeof q.code === 'string' ? q.code : typeof q.unit === 'string' ? q.unit.trim().toLowerCase() : undefined;
  const f = unit === undefined ? undefined : YEARS_PER_UNIT[unit];
  return f === undefined ? undefined : q.value * f;
}

/** The lowest age Safe Harbor aggregates: ages over 89, i.e. 90 and over. */
export const AGE_CATEGORY_FLOOR = 90;

/**
 * The single "90 or older" category as a FHIR Age: `>= 90 a`. Returned for any age of 90 years or
 * more; other ages are kept as they are.
 */
export function ninetyOrOlder(): { value: number; comparator: '>='; unit: string; system: string; code: string } {
  return { value: AGE_CATEGORY_FLOOR, comparator: '>=', unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' };
}
