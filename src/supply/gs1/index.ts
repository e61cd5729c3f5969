/** Public API of the GS1 identifier module: see README.md beside this file. */
export { gs1CheckDigit, hasValidCheckDigit, assertCheckDigit } from './check-digit.ts';
export { normaliseGtin, validateSscc, validateGln } from './keys.ts';
export { AI_TABLE, aiDefinition, type AiDefinition } from './ai-table.ts';
export { checkElement, checkAssociations, type Gs1Element } from './ai-value.ts';
export { centuryYear, parseGs1Date, toGs1Date, type Gs1Date } from './date.ts';
export { parseElementString, formatElementString, GS, GS1_SYMBOLOGIES, type ParsedElementString, type ParseOptions, type FormatOptions, type SymbologyId } from './element-string.ts';
export { parseDigitalLink, formatDigitalLink, DL_PRIMARY_KEYS, type DigitalLink, type DigitalLinkParseOptions, type DigitalLinkFormatOptions } from './digital-link.ts';
export { parseEpcUri, toEpcUri, escapeEpcComponent, DEFAULT_COMPANY_PREFIX_LENGTH, type EpcUriOptions, type ParsedEpcUri } from './epc-uri.ts';
export { identifierFromElements, elementsOfIdentifier, type Gs1Identifier, type Gs1Scheme } from './identifier.ts';
export { parseGs1Identifier, detectGs1Syntax, toEpcUriFrom, toDigitalLinkFrom, toElementStringFrom, convertGs1, type Gs1Syntax, type ParsedGs1Identifier } from './convert.ts';
