/**
 * GS1 element strings as a scanner delivers them (GS1 General Specifications §7.8, ISO/IEC 15424 symbology
 * identifiers) and in human-readable form (§4.15, "(01)09506000134352(17)201225(10)ABC(21)123").
 *
 * Scanned form: an optional symbology identifier — `]d2` GS1 DataMatrix, `]C1` GS1-128, `]Q3` GS1 QR Code,
 * `]e0` GS1 DataBar, `]J1` GS1 DotCode — then AI/value pairs. An AI from the predefined-length table (§7.8.5)
 * has exactly its length; any other ends at FNC1, which scanners transmit as GS (U+001D), or at the end.
 * A GS after a predefined-length value, or a leading GS (some scanners send the first FNC1), is tolerated.
 *
 * Human-readable form: `(AI)value…`. A value runs to the next `(` followed by 2 to 4 digits and `)`; such a
 * literal sequence inside a value must be written `\(` (the convention of GS1's Barcode Syntax Engine).
 *
 * Every value is checked (length, character set, check digit, date) and the AIs' associations (e.g. AI 21
 * needs AI 01); the first problem is thrown as `DomainError('invalid')`.
 *
 * Why not a library: `bark-js` 1.2.1 (MIT, CommonJS, ~1 µs/parse) validates neither check digits nor dates
 * (it returns month 13 and "2020-12-00"), does not read the bracketed form, and silently splits an
 * over-long serial into another AI; `digital-link.js` 1.4.3 (Apache-2.0) parses Digital Link URIs only, at
 * ~3 ms each, and leaves percent-encoding undecoded. Both were measured on Node 20 (see src/supply/gs1/README.md).
 */
import { invalid } from '../../shared/errors.ts';
import { aiAt, type AiDefinition } from './ai-table.ts';
import { aiLabel, checkAiValue, checkAssociations, type Gs1Element } from './ai-value.ts';
import { showChar } from './charsets.ts';

/** FNC1 as scanners transmit it: ASCII GS. */
export const GS = '\u001d';

/** Symbology identifiers (ISO/IEC 15424) of the GS1 symbologies. */
export const GS1_SYMBOLOGIES = { ']d2': 'GS1 DataMatrix', ']C1': 'GS1-128', ']Q3': 'GS1 QR Code', ']e0': 'GS1 DataBar', ']J1': 'GS1 DotCode' } as const;
export type SymbologyId = keyof typeof GS1_SYMBOLOGIES;

export interface ParsedElementString {
  /** The symbology identifier that prefixed the data, or null when there was none (or the bracketed form). */
  symbology: SymbologyId | null;
  /** The elements in the order they were encoded. */
  elements: Gs1Element[];
}

export interface ParseOptions {
  /** "Now", for the century of two-digit years (§7.12). Default: the current date. */
  today?: Date;
  /** Skip the associations check (AI 21 needs 01, …); each value is still checked. Default false. */
  skipAssociations?: boolean;
}

/**
 * Parses a GS1 element string in scanned form (with FNC1 as GS) or human-readable bracketed form.
 * @throws DomainError('invalid') naming the AI and the problem, e.g. `GTIN 09506000134353: check digit 3, expected 2`.
 */
export function parseElementString(input: string, options: ParseOptions = {}): ParsedElementString {
  const currentYear = (options.today ?? new Date()).getUTCFullYear();
  let s = input;
  let symbology: SymbologyId | null = null;
  if (s.charCodeAt(0) === 93 /* ] */) {
    const id = s.slice(0, 3);
    if (!(id in GS1_SYMBOLOGIES)) {
      throw invalid(`symbology identifier "${id}" is not a GS1 one (expected ]d2 DataMatrix, ]C1 GS1-128, ]Q3 QR, ]e0 DataBar or ]J1 DotCode): the symbol does not carry GS1 element strings`);
    }
    symbology = id as SymbologyId;
    s = s.slice(3);
  }
  const elements = s.charCodeAt(0) === 40 /* ( */ ? parseBracketed(s, currentYear) : parseScanned(s, currentYear);
  if (elements.length === 0) throw invalid('empty GS1 element string: no AI found');
  if (!options.skipAssociations) checkAssociations(elements);
  return { symbology, elements };
}

function parseScanned(s: string, currentYear: number): Gs1Element[] {
  const elements: Gs1Element[] = [];
  let pos = s.charCodeAt(0) === 29 ? 1 : 0;
  const n = s.length;
  while (pos < n) {
    const def = aiAt(s, pos);
    if (!def) throw unknownAi(s, pos);
    const start = pos + def.ai.length;
    let end: number;
    if (def.predefined) {
      end = start + def.max;
      if (end > n) {
        throw invalid(`${aiLabel(def.ai)} ${def.title} "${s.slice(start)}": ${n - start} character${n - start === 1 ? '' : 's'}, exactly ${def.max} required (the data ends early)`, [aiLabel(def.ai)]);
      }
      const gs = s.indexOf(GS, start);
      if (gs >= 0 && gs < end) {
        throw invalid(`${aiLabel(def.ai)} ${def.title} "${s.slice(start, gs)}": ${gs - start} characters before FNC1, exactly ${def.max} required`, [aiLabel(def.ai)]);
      }
    } else {
      end = s.indexOf(GS, start);
      if (end < 0) end = n;
      if (end - start > def.max) {
        throw invalid(`${aiLabel(def.ai)} ${def.title} "${s.slice(start, end)}": ${end - start} characters, at most ${def.max} allowed (is an FNC1 separator missing after it?)`, [aiLabel(def.ai)]);
      }
    }
    elements.push(checkAiValue(def, s.slice(start, end), currentYear));
    pos = end;
    if (s.charCodeAt(pos) === 29) {
      pos++;
      if (pos === n) break; // a trailing FNC1 is harmless
    }
  }
  return elements;
}

function unknownAi(s: string, pos: number): Error {
  const head = s.slice(pos, pos + 4);
  const bad = /^\d*/.exec(head)![0].length;
  if (bad < 2 && pos < s.length) {
    const ch = s[pos + bad]!;
    return invalid(`character ${pos + bad + 1} (${showChar(ch)}) where an AI (2 to 4 digits) should start${ch === '(' ? '; mix of bracketed and scanned forms?' : ''}`);
  }
  return invalid(`"${head}…" at character ${pos + 1} does not start a GS1 Application Identifier this system knows${pos > 0 ? ' (is an FNC1 separator missing after the previous variable-length value?)' : ''}`);
}

function parseBracketed(s: string, currentYear: number): Gs1Element[] {
  const elements: Gs1Element[] = [];
  let pos = 0;
  const n = s.length;
  while (pos < n) {
    const close = s.indexOf(')', pos);
    const ai = close > pos ? s.slice(pos + 1, close) : '';
    const def: AiDefinition | undefined = /^\d{2,4}$/.test(ai) ? aiAt(ai, 0) : undefined;
    if (s.charCodeAt(pos) !== 40 || !def || def.ai !== ai) {
      throw invalid(`"${s.slice(pos, pos + 8)}…" at character ${pos + 1}: expected "(AI)" with a known GS1 Application Identifier`);
    }
    let value = '';
    let i = close + 1;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 92 /* \ */ && s.charCodeAt(i + 1) === 40) {
        value += '(';
        i++;
      } else if (c === 40 && opensAi(s, i)) break;
      else value += s[i];
    }
    elements.push(checkAiValue(def, value, currentYear));
    pos = i;
  }
  return elements;
}

/** True when `(` at `i` opens `(NN)`, `(NNN)` or `(NNNN)`: the next AI (an unknown one is then reported as such). */
function opensAi(s: string, i: number): boolean {
  const close = s.indexOf(')', i);
  if (close < i + 3 || close > i + 5) return false;
  for (let k = i + 1; k < close; k++) if (s.charCodeAt(k) < 48 || s.charCodeAt(k) > 57) return false;
  return true;
}

export interface FormatOptions {
  /** `scanned`: AIs concatenated, GS after each variable-length value that is not last (what a symbol encodes). `brackets`: `(01)…(21)…`. */
  form?: 'scanned' | 'brackets';
  /** Prefix the scanned form with a symbology identifier, e.g. `]d2`. */
  symbology?: SymbologyId;
}

/**
 * Writes elements as an element string, in the given order: the scanned form puts GS after each value of an
 * AI outside the predefined-length table unless it is last (§7.8.5); the bracketed form escapes a `(` that
 * would read as the start of an AI.
 */
export function formatElementString(elements: readonly Pick<Gs1Element, 'ai' | 'value'>[], options: FormatOptions = {}): string {
  if (options.form === 'brackets') {
    return elements.map((e) => `(${e.ai})${e.value.replace(/\((?=\d{2,4}\))/g, '\\(')}`).join('');
  }
  let out = options.symbology ?? '';
  elements.forEach((e, i) => {
    out += e.ai + e.value;
    const def = aiAt(e.ai, 0);
    if (i < elements.length - 1 && !def?.predefined) out += GS;
  });
  return out;
}
