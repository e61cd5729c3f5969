/**
 * Conversions between the three syntaxes of an SGTIN, LGTIN, SSCC or SGLN: GS1 element string (scanned or
 * bracketed), GS1 Digital Link URI and EPC URN. `parseGs1Identifier` reads any of them; the `to…` functions
 * write one. Going to an EPC URN needs the GS1 Company Prefix length (see `epc-uri.ts`).
 */
import { invalid } from '../../shared/errors.ts';
import type { Gs1Element } from './ai-value.ts';
import { formatDigitalLink, parseDigitalLink, type DigitalLinkFormatOptions } from './digital-link.ts';
import { formatElementString, parseElementString, type FormatOptions } from './element-string.ts';
import { parseEpcUri, toEpcUri, type EpcUriOptions } from './epc-uri.ts';
import { elementsOfIdentifier, identifierFromElements, type Gs1Identifier } from './identifier.ts';

export type Gs1Syntax = 'element-string' | 'digital-link' | 'epc-uri';

export interface ParsedGs1Identifier {
  id: Gs1Identifier;
  /** Which syntax the input was in. */
  syntax: Gs1Syntax;
  /** Every element the input carried (for an EPC URN, those of the identifier), e.g. with AI 17 expiry. */
  elements: Gs1Element[];
  /** For an EPC URN input, the company prefix length it used. */
  companyPrefixLength?: number;
}

/** The syntax of `input`: `urn:epc:` → EPC URN, `http(s)://` → Digital Link, otherwise an element string. */
export function detectGs1Syntax(input: string): Gs1Syntax {
  if (input.startsWith('urn:epc:')) return 'epc-uri';
  if (/^https?:\/\//i.test(input)) return 'digital-link';
  return 'element-string';
}

/**
 * Reads an SGTIN, LGTIN, SSCC or SGLN in any of the three syntaxes.
 * @throws DomainError('invalid') for malformed input or an input carrying none of these identifiers.
 */
export function parseGs1Identifier(input: string, options: { today?: Date } = {}): ParsedGs1Identifier {
  const syntax = detectGs1Syntax(input);
  if (syntax === 'epc-uri') {
    const { id, companyPrefixLength } = parseEpcUri(input);
    return { id, syntax, elements: elementsOfIdentifier(id), companyPrefixLength };
  }
  const elements = syntax === 'digital-link' ? parseDigitalLink(input, options).elements : parseElementString(input, options).elements;
  return { id: identifierFromElements(elements), syntax, elements };
}

/** The EPC URN of `input` (any syntax). */
export function toEpcUriFrom(input: string | Gs1Identifier, options: EpcUriOptions = {}): string {
  return toEpcUri(typeof input === 'string' ? parseGs1Identifier(input).id : input, options);
}

/** The canonical GS1 Digital Link URI of `input` (any syntax); for an element string every element is kept (dates go to the query). */
export function toDigitalLinkFrom(input: string | Gs1Identifier, options: DigitalLinkFormatOptions = {}): string {
  if (typeof input !== 'string') return formatDigitalLink(elementsOfIdentifier(input), options);
  return formatDigitalLink(parseGs1Identifier(input).elements, options);
}

/** The element string of `input` (any syntax), scanned (with GS) or bracketed form. */
export function toElementStringFrom(input: string | Gs1Identifier, options: FormatOptions = {}): string {
  if (typeof input !== 'string') return formatElementString(elementsOfIdentifier(input), options);
  return formatElementString(parseGs1Identifier(input).elements, options);
}

/** Convert `input` (any syntax) to `to`. */
export function convertGs1(input: string, to: Gs1Syntax, options: EpcUriOptions & DigitalLinkFormatOptions & FormatOptions = {}): string {
  switch (to) {
    case 'epc-uri': return toEpcUriFrom(input, options);
    case 'digital-link': return toDigitalLinkFrom(input, options);
    case 'element-string': return toElementStringFrom(input, options);
    default: throw invalid(`unknown GS1 syntax "${String(to)}"`);
  }
}
