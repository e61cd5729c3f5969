/**
 * The GS1 standard mod-10 check digit (GS1 General Specifications §7.9.1), shared by every fixed-length
 * numeric GS1 key: GTIN-8/12/13/14, GLN, SSCC, GSIN, GSRN, GDTI, GRAI (first 13 digits), ….
 *
 * From the rightmost digit of the payload (the digit just left of the check digit), weights 3, 1, 3, 1, …;
 * the check digit brings the weighted sum up to the next multiple of ten.
 */
import { invalid } from '../../shared/errors.ts';

/** The check digit for `payload` (the key's digits without its check digit). `payload` must be all digits. */
export function gs1CheckDigit(payload: string): number {
  let sum = 0;
  let weight = 3;
  for (let i = payload.length - 1; i >= 0; i--) {
    const d = payload.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw invalid(`"${payload}" is not all digits, so it has no GS1 check digit`);
    sum += d * weight;
    weight = 4 - weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of `key` is the GS1 check digit of the digits before it. */
export function hasValidCheckDigit(key: string): boolean {
  if (key.length < 2 || !isDigits(key)) return false;
  return gs1CheckDigit(key.slice(0, -1)) === key.charCodeAt(key.length - 1) - 48;
}

/**
 * Throws `DomainError('invalid')` unless `key`'s last digit is its GS1 check digit, with a message such as
 * `GTIN 09506000134353: check digit 3, expected 2`. `label` names the key (`GTIN`, `SSCC`, `GLN`).
 */
export function assertCheckDigit(label: string, key: string, expression?: string[]): void {
  const expected = gs1CheckDigit(key.slice(0, -1));
  const actual = key.charCodeAt(key.length - 1) - 48;
  if (actual !== expected) throw invalid(`${label} ${key}: check digit ${key.slice(-1)}, expected ${expected}`, expression);
}

/** True when `s` is non-empty and made only of ASCII digits. */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
