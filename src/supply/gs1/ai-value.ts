/**
 * Validation of one AI's value against its definition in `ai-table.ts`: length, character set, the check
 * digit of an embedded GS1 key, and date validity. Shared by the element-string, Digital Link and EPC URI
 * parsers so that a value is judged the same way whatever syntax carried it.
 */
import { invalid } from '../../shared/errors.ts';
import { aiDefinition, type AiDefinition } from './ai-table.ts';
import { CHARSET_NAME, firstInvalidChar, showChar } from './charsets.ts';
import { gs1CheckDigit } from './check-digit.ts';
import { parseGs1Date, parseGs1DateTime } from './date.ts';

/** One GS1 element: an Application Identifier and its value, as carried in a barcode. */
export interface Gs1Element {
  /** The AI, e.g. `01`, `21`, `17`. */
  ai: string;
  /** The value exactly as encoded (GTIN-14 for AI 01, YYMMDD for AI 17, …). */
  value: string;
  /** For date AIs (11–17), the resolved ISO date (`YYYY-MM-DD`, day 00 → last day of the month); for 7003 `YYYY-MM-DDTHH:MM`. */
  date?: string;
}

const KEY_LABEL: Record<string, string> = { '00': 'SSCC', '01': 'GTIN', '02': 'GTIN', '402': 'GSIN', '8017': 'GSRN', '8018': 'GSRN', '253': 'GDTI', '255': 'GCN', '8003': 'GRAI', '8006': 'GTIN' };

/** `AI (17)` for messages. */
export const aiLabel = (ai: string) => `AI (${ai})`;

/**
 * Checks `value` for AI `def` and returns the element (with its resolved date for date AIs).
 * @throws DomainError('invalid') with a message naming the AI, the value and what is wrong.
 */
export function checkAiValue(def: AiDefinition, value: string, currentYear: number): Gs1Element {
  const label = aiLabel(def.ai);
  const expression = [label];
  const n = value.length;
  if (n < def.min || n > def.max) {
    const want = def.min === def.max ? `exactly ${def.max}` : n < def.min ? `at least ${def.min}` : `at most ${def.max}`;
    throw invalid(`${label} ${def.title} "${value}": ${n} character${n === 1 ? '' : 's'}, ${want} allowed`, expression);
  }
  const numeric = def.numericPrefix ?? 0;
  if (numeric > 0) {
    const bad = firstInvalidChar(value.slice(0, numeric), 'N');
    if (bad >= 0) throw invalid(`${label} ${def.title} "${value}": character ${bad + 1} (${showChar(value[bad]!)}) must be a digit (the first ${numeric} are digits)`, expression);
  }
  const bad = firstInvalidChar(numeric > 0 ? value.slice(numeric) : value, def.charset);
  if (bad >= 0) {
    const at = bad + numeric;
    throw invalid(`${label} ${def.title} "${value}": character ${at + 1} (${showChar(value[at]!)}) is not allowed; only ${CHARSET_NAME[def.charset]}`, expression);
  }
  if (def.checkDigitOver !== undefined) {
    const key = value.slice(0, def.checkDigitOver);
    const expected = gs1CheckDigit(key.slice(0, -1));
    if (key.charCodeAt(key.length - 1) - 48 !== expected) {
      throw invalid(`${KEY_LABEL[def.ai] ?? label} ${key}: check digit ${key.slice(-1)}, expected ${expected}`, expression);
    }
  }
  if (def.date === 'YYMMDD') return { ai: def.ai, value, date: parseGs1Date(value, label, currentYear, expression).date };
  if (def.date === 'YYMMDDHHMM') return { ai: def.ai, value, date: parseGs1DateTime(value, label, currentYear, expression) };
  return { ai: def.ai, value };
}

/** Looks `ai` up and checks `value`; throws `invalid` for an AI this module does not know. */
export function checkElement(ai: string, value: string, currentYear: number): Gs1Element {
  const def = aiDefinition(ai);
  if (!def) throw invalid(`${aiLabel(ai)} is not a GS1 Application Identifier this system knows`, [aiLabel(ai)]);
  return checkAiValue(def, value, currentYear);
}

/**
 * Rules between AIs of one element string (GS1 General Specifications §4.13, "mandatory associations" and
 * "invalid pairs"), restricted to the identification AIs handled here: each AI at most once (a repeat with
 * a different value is an error); 21, 22, 10 and the dates need a trade item (01, 02 or 8006); 254 needs 414;
 * 01 and 02 exclude each other; 8011 needs 8010.
 */
export function checkAssociations(elements: readonly Gs1Element[]): void {
  const seen = new Map<string, string>();
  for (const e of elements) {
    const prev = seen.get(e.ai);
    if (prev !== undefined && prev !== e.value) throw invalid(`${aiLabel(e.ai)} appears twice with different values ("${prev}", "${e.value}")`, [aiLabel(e.ai)]);
    seen.set(e.ai, e.value);
  }
  const item = seen.has('01') || seen.has('02') || seen.has('8006');
  for (const ai of ['10', '21', '22', '11', '12', '13', '15', '16', '17', '7003', '235']) {
    if (seen.has(ai) && !item) throw invalid(`${aiLabel(ai)} needs a trade item: AI (01), (02) or (8006) must be present too`, [aiLabel(ai)]);
  }
  if (seen.has('254') && !seen.has('414')) throw invalid('AI (254) GLN extension needs AI (414) GLN', ['AI (254)']);
  if (seen.has('01') && seen.has('02')) throw invalid('AI (01) and AI (02) must not appear together', ['AI (02)']);
  if (seen.has('8011') && !seen.has('8010')) throw invalid('AI (8011) CPID serial needs AI (8010) CPID', ['AI (8011)']);
}
