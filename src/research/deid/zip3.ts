/**
 * Safe Harbor ZIP codes, 45 CFR §164.514(b)(2)(i)(B): the first three digits of a ZIP code may be
 * kept when the area they cover holds more than 20,000 people; otherwise they become `000`. The
 * restricted ZIP3s come from HHS OCR's de-identification guidance (2000 Census), `data/`.
 */
import restricted from './data/restricted-zip3.json' with { type: 'json' };

export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set(restricted.zip3);

const US_ZIP = /^(\d{5})(?:-?\d{4})?$/;
const US_COUNTRY = new Set(['us', 'usa', 'u.s.', 'u.s.a.', 'united states', 'united states of america']);

/** True when `country` is absent or names the United States (ISO 3166 alpha-2/alpha-3 or in words). */
export function isUsCountry(country: string | undefined): boolean {
  return country === undefined || US_COUNTRY.has(country.trim().toLowerCase());
}

/**
 * The Safe Harbor form of a postal code: the ZIP3 (or `000` when restricted) for a US ZIP or ZIP+4,
 * `undefined` (remove it) for anything else — a non-US postal code or a malformed one has no rule
 * that makes it safe, so it is dropped.
 */
export function safeHarborZip(postalCode: string, country?: string): string | undefined {
  if (!isUsCountry(country)) return undefined;
  const m = US_ZIP.exec(postalCode.trim());
  if (!m) return undefined;
  const zip3 = m[1]!.slice(0, 3);
  return RESTRICTED_ZIP3.has(zip3) ? '000' : zip3;
}
