/**
 * EPC URNs of the GS1 EPC Tag Data Standard (TDS 2.x, §6 "EPC URI", §6.4 "EPC Class URI"), both ways:
 *
 * - `urn:epc:id:sgtin:{CompanyPrefix}.{Indicator}{ItemRef}.{Serial}`   (TDS §6.3.1)
 * - `urn:epc:class:lgtin:{CompanyPrefix}.{Indicator}{ItemRef}.{Lot}`    (TDS §6.4.1)
 * - `urn:epc:id:sscc:{CompanyPrefix}.{Extension}{SerialRef}`           (TDS §6.3.2)
 * - `urn:epc:id:sgln:{CompanyPrefix}.{LocationRef}.{Extension}`        (TDS §6.3.3; extension `0` = none)
 *
 * The URN drops the check digit and splits the key after the GS1 Company Prefix. That split is not in the
 * barcode: it is the length of the prefix GS1 allocated to the brand owner (6 to 12 digits), known from GS1's
 * Global Company Prefix list or from the trading partner. So `toEpcUri` takes `companyPrefixLength`, a number
 * or a function of the key (to plug in a lookup table), defaulting to 7 — right for many GS1 US/EU pharma
 * prefixes but by no means all; a wrong length gives a well-formed URN that does not match the partner's.
 * `parseEpcUri` needs no length (the dot shows it) and recomputes the check digit.
 *
 * Serial, lot and extension values use TDS §5 escaping: of the GS1 character set 82, `"` `%` `&` `/` `<` `>` `?`
 * are written `%22 %25 %26 %2F %3C %3E %3F`; all other characters appear as themselves.
 */
import { invalid } from '../../shared/errors.ts';
import { aiDefinition } from './ai-table.ts';
import { checkAiValue } from './ai-value.ts';
import { gs1CheckDigit, isDigits } from './check-digit.ts';
import type { Gs1Identifier } from './identifier.ts';

export const DEFAULT_COMPANY_PREFIX_LENGTH = 7;

export interface EpcUriOptions {
  /** Length of the GS1 Company Prefix (6–12), or a function giving it for a GTIN-14 / SSCC / GLN. Default 7. */
  companyPrefixLength?: number | ((key: string, scheme: Gs1Identifier['scheme']) => number);
}

const ESCAPES: Record<string, string> = { '"': '%22', '%': '%25', '&': '%26', '/': '%2F', '<': '%3C', '>': '%3E', '?': '%3F' };

/** Escapes a GS1 AI value for an EPC URI (TDS §5, Table 5-1). */
export function escapeEpcComponent(value: string): string {
  return value.replace(/["%&/<>?]/g, (c) => ESCAPES[c]!);
}

/** Reverses `escapeEpcComponent`: `%XX` to its character. */
export function unescapeEpcComponent(value: string, what: string): string {
  return value.replace(/%(.{0,2})/g, (all, hex: string) => {
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw invalid(`EPC URI ${what} "${value}": "${all}" is not a valid %XX escape`);
    return String.fromCharCode(parseInt(hex, 16));
  });
}

function prefixLength(options: EpcUriOptions, key: string, scheme: Gs1Identifier['scheme']): number {
  const o = options.companyPrefixLength ?? DEFAULT_COMPANY_PREFIX_LENGTH;
  const n = typeof o === 'function' ? o(key, scheme) : o;
  if (!Number.isInteger(n) || n < 6 || n > 12) throw invalid(`GS1 Company Prefix length ${n}: must be 6 to 12 digits`);
  return n;
}

/** Writes the EPC URN of an identifier. Values are assumed valid (they come from a parser or were checked). */
export function toEpcUri(id: Gs1Identifier, options: EpcUriOptions = {}): string {
  switch (id.scheme) {
    case 'sgtin':
    case 'lgtin': {
      const cp = prefixLength(options, id.gtin, id.scheme);
      const head = `${id.gtin.slice(1, 1 + cp)}.${id.gtin[0]}${id.gtin.slice(1 + cp, 13)}`;
      return id.scheme === 'sgtin' ? `urn:epc:id:sgtin:${head}.${escapeEpcComponent(id.serial)}` : `urn:epc:class:lgtin:${head}.${escapeEpcComponent(id.lot)}`;
    }
    case 'sscc': {
      const cp = prefixLength(options, id.sscc, id.scheme);
      return `urn:epc:id:sscc:${id.sscc.slice(1, 1 + cp)}.${id.sscc[0]}${id.sscc.slice(1 + cp, 17)}`;
    }
    case 'sgln': {
      const cp = prefixLength(options, id.gln, id.scheme);
      return `urn:epc:id:sgln:${id.gln.slice(0, cp)}.${id.gln.slice(cp, 12)}.${id.extension === undefined ? '0' : escapeEpcComponent(id.extension)}`;
    }
  }
}

export interface ParsedEpcUri {
  id: Gs1Identifier;
  /** The GS1 Company Prefix length the URN was written with. */
  companyPrefixLength: number;
}

const EPC_URI = /^urn:epc:(id:sgtin|class:lgtin|id:sscc|id:sgln):([^.]*)\.([^.]*)(?:\.(.*))?$/;

/**
 * Parses an SGTIN, LGTIN, SSCC or SGLN EPC URN, recomputing the key's check digit.
 * @throws DomainError('invalid') for another scheme, wrong digit counts or an invalid serial/lot/extension.
 */
export function parseEpcUri(uri: string): ParsedEpcUri {
  const m = EPC_URI.exec(uri);
  if (!m) {
    const scheme = /^urn:epc:(?:id|class|idpat):([a-z0-9]+):/.exec(uri)?.[1];
    throw invalid(scheme ? `EPC URI "${uri}": scheme "${scheme}" is not supported here (sgtin, lgtin, sscc, sgln)` : `"${uri}" is not an EPC URI (urn:epc:id:sgtin:…, urn:epc:class:lgtin:…, urn:epc:id:sscc:…, urn:epc:id:sgln:…)`);
  }
  const [, kind, cp, ref, rest] = m as unknown as [string, string, string, string, string | undefined];
  if (!isDigits(cp) || cp.length < 6 || cp.length > 12) throw invalid(`EPC URI "${uri}": company prefix "${cp}" must be 6 to 12 digits`);
  const year = new Date().getUTCFullYear();
  const check = (ai: string, v: string) => checkAiValue(aiDefinition(ai)!, v, year).value;
  switch (kind) {
    case 'id:sgtin':
    case 'class:lgtin': {
      if (!isDigits(ref) || cp.length + ref.length !== 13) throw invalid(`EPC URI "${uri}": company prefix and indicator+item reference must be 13 digits together, got ${cp.length}+${ref.length}`);
      if (rest === undefined) throw invalid(`EPC URI "${uri}": the ${kind === 'id:sgtin' ? 'serial' : 'lot'} is missing`);
      const body = ref[0] + cp + ref.slice(1);
      const gtin = body + gs1CheckDigit(body);
      if (kind === 'id:sgtin') return { id: { scheme: 'sgtin', gtin, serial: check('21', unescapeEpcComponent(rest, 'serial')) }, companyPrefixLength: cp.length };
      return { id: { scheme: 'lgtin', gtin, lot: check('10', unescapeEpcComponent(rest, 'lot')) }, companyPrefixLength: cp.length };
    }
    case 'id:sscc': {
      if (rest !== undefined || !isDigits(ref) || cp.length + ref.length !== 17) throw invalid(`EPC URI "${uri}": company prefix and extension+serial reference must be 17 digits together`);
      const body = ref[0] + cp + ref.slice(1);
      return { id: { scheme: 'sscc', sscc: body + gs1CheckDigit(body) }, companyPrefixLength: cp.length };
    }
    default: {
      if ((ref !== '' && !isDigits(ref)) || cp.length + ref.length !== 12) throw invalid(`EPC URI "${uri}": company prefix and location reference must be 12 digits together`);
      if (rest === undefined || rest === '') throw invalid(`EPC URI "${uri}": the extension is missing (use 0 for none)`);
      const body = cp + ref;
      const gln = body + gs1CheckDigit(body);
      return { id: rest === '0' ? { scheme: 'sgln', gln } : { scheme: 'sgln', gln, extension: check('254', unescapeEpcComponent(rest, 'extension')) }, companyPrefixLength: cp.length };
    }
  }
}
