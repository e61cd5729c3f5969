/**
 * The check applied to the few short text elements the de-identifier keeps (code displays,
 * CodeableConcept.text, units, Reference.display; see README.md): a text is kept only if it shows
 * none of the Safe Harbor identifiers (45 CFR §164.514(b)(2)(i)) by pattern — e-mail, URL, IP
 * address, SSN, telephone number, a date finer than a year, a 5-digit ZIP, a long number — and
 * contains none of the identifying values seen in the input (names, street lines, cities,
 * organization names, telecom and identifier values: the "actual knowledge" of
 * §164.514(b)(2)(ii)). Free text in general is not checked but removed: no pattern list finds every
 * name in a clinical note.
 */
import type { SafeHarborClass } from './safe-harbor.ts';

const PATTERNS: readonly [SafeHarborClass, RegExp][] = [
  ['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/],
  ['url', /\b(?:https?|ftp):\/\/|\bwww\.[A-Za-z0-9-]+\./i],
  ['ip', /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/],
  ['ip', /(?:^|[^\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4})?\b/],
  ['ssn', /\b\d{3}-\d{2}-\d{4}\b/],
  ['telephone', /(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b/],
  ['dates', /\b\d{4}-\d{2}-\d{2}\b|(?<![\d./])(?:0?[1-9]|[12]\d|3[01])([/.-])(?:0?[1-9]|[12]\d|3[01])\1(?:\d{4}|\d{2})(?![\d./])/],
  ['dates', /\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?\b/],
  ['geographic', /\b\d{5}-\d{4}\b/],
  ['other-id', /\b\d{7,}\b/],
];

/** Five-digit numbers: a ZIP code unless the text is clearly a code display with a number in it. */
const ZIP5 = /(?<![\d.,])\b\d{5}\b(?![.,]\d)/;

const TOKEN = /[\p{L}\p{N}]+(?:['’.\-_@][\p{L}\p{N}]+)*/gu;
const MAX_PHRASE = 8;

/** Lower-cased, accent-folded tokens: `"Adán  O'Brien-Smith"` → `["adan", "o'brien-smith"]`. */
export function tokens(text: string): string[] {
  return (text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(TOKEN) ?? []) as string[];
}

/**
 * Identifying values collected from the input, matched as whole-token phrases (so the family name
 * "Little" blocks "Little finger injury" but not "littleton").
 */
export class KnownValues {
  readonly #phrases = new Map<string, SafeHarborClass>();
  #maxLen = 0;

  /**
   * Records `value` (a name part, a city, a telephone number, …) as identifying, of class `cls`.
   * Names and places of one letter, and numbers or codes under 5 characters (an NPI of "220" in
   * Synthea), are ignored: they would block every text with that word or number in it.
   */
  add(value: string, cls: SafeHarborClass): void {
    const t = tokens(value);
    if (t.length === 0 || t.length > MAX_PHRASE) return;
    const phrase = t.join(' ');
    if (phrase.length < (cls === 'names' || cls === 'geographic' ? 2 : 5)) return;
    if (!this.#phrases.has(phrase)) this.#phrases.set(phrase, cls);
    if (t.length > this.#maxLen) this.#maxLen = t.length;
  }

  get size(): number {
    return this.#phrases.size;
  }

  /** The class of the first known value found in `text`, or undefined. */
  find(text: string): SafeHarborClass | undefined {
    if (this.#phrases.size === 0) return undefined;
    const t = tokens(text);
    for (let i = 0; i < t.length; i++) {
      let phrase = '';
      for (let n = 0; n < this.#maxLen && i + n < t.length; n++) {
        phrase = n === 0 ? t[i]! : `${phrase} ${t[i + n]!}`;
        const cls = this.#phrases.get(phrase);
        if (cls !== undefined) return cls;
      }
    }
    return undefined;
  }
}

/**
 * Why `text` may not be kept: the Safe Harbor class of the first identifier found in it, or
 * undefined when it shows none.
 */
export function identifierIn(text: string, known: KnownValues): SafeHarborClass | undefined {
  for (const [cls, re] of PATTERNS) if (re.test(text)) return cls;
  if (ZIP5.test(text)) return 'geographic';
  return known.find(text);
}
