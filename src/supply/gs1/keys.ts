/**
 * The GS1 keys this module handles, validated and normalised: GTIN (any of GTIN-8, -12, -13, -14, always
 * returned as GTIN-14, GS1 General Specifications §3.3.2 / §4.3), SSCC (18 digits, §3.3.1) and GLN (13 digits,
 * §3.4.14 / §4.5). Each check digit is verified (§7.9.1).
 */
import { invalid } from '../../shared/errors.ts';
import { assertCheckDigit, isDigits } from './check-digit.ts';

/**
 * Normalises a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14 to GTIN-14 (left-padded with zeros, the
 * form of AI (01), EPCIS and GS1 Digital Link), after checking its check digit.
 * @throws DomainError('invalid') when not 8, 12, 13 or 14 digits, or the check digit is wrong.
 */
export function normaliseGtin(gtin: string, expression?: string[]): string {
  const n = gtin.length;
  if ((n !== 8 && n !== 12 && n !== 13 && n !== 14) || !isDigits(gtin)) {
    throw invalid(`GTIN "${gtin}": must be 8, 12, 13 or 14 digits (GTIN-8, GTIN-12, GTIN-13 or GTIN-14), got ${describe(gtin)}`, expression);
  }
  assertCheckDigit('GTIN', gtin, expression);
  return n === 14 ? gtin : gtin.padStart(14, '0');
}

/** Checks an SSCC: 18 digits with a valid check digit. Returns it unchanged. */
export function validateSscc(sscc: string, expression?: string[]): string {
  if (sscc.length !== 18 || !isDigits(sscc)) throw invalid(`SSCC "${sscc}": must be 18 digits, got ${describe(sscc)}`, expression);
  assertCheckDigit('SSCC', sscc, expression);
  return sscc;
}

/** Checks a GLN: 13 digits with a valid check digit. Returns it unchanged. */
export function validateGln(gln: string, expression?: string[]): string {
  if (gln.length !== 13 || !isDigits(gln)) throw invalid(`GLN "${gln}": must be 13 digits, got ${describe(gln)}`, expression);
  assertCheckDigit('GLN', gln, expression);
  return gln;
}

/** "5 characters", or "13 characters including non-digits", for error messages. */
export function describe(s: string): string {
  return `${s.length} character${s.length === 1 ? '' : 's'}${isDigits(s) || s.length === 0 ? '' : ' including non-digits'}`;
}
