/**
 * The instance- and class-level GS1 identifiers of the supply chain, independent of their syntax:
 * SGTIN (GTIN + serial), LGTIN (GTIN + lot), SSCC and SGLN (GLN + optional extension, AI 254). The same
 * identifier can be written as an element string, a GS1 Digital Link URI or an EPC URN; `gs1-convert.ts`
 * moves between them.
 */
import { invalid } from '../../shared/errors.ts';
import type { Gs1Element } from './ai-value.ts';

export type Gs1Identifier =
  /** A serialised trade item: AI (01) + AI (21). `gtin` is GTIN-14. */
  | { scheme: 'sgtin'; gtin: string; serial: string }
  /** A batch/lot of a trade item: AI (01) + AI (10). */
  | { scheme: 'lgtin'; gtin: string; lot: string }
  /** A logistic unit: AI (00). */
  | { scheme: 'sscc'; sscc: string }
  /** A location: AI (414), with AI (254) when `extension` is set. */
  | { scheme: 'sgln'; gln: string; extension?: string };

export type Gs1Scheme = Gs1Identifier['scheme'];

/**
 * The identifier that `elements` carry: SGTIN when 01 and 21 are present (a lot beside them is an attribute),
 * LGTIN for 01 and 10 without 21, SSCC for 00, SGLN for 414 (+254). Other elements (dates, …) are ignored.
 * @throws DomainError('invalid') when none of these combinations is present.
 */
export function identifierFromElements(elements: readonly Pick<Gs1Element, 'ai' | 'value'>[]): Gs1Identifier {
  let gtin: string | undefined, serial: string | undefined, lot: string | undefined, sscc: string | undefined, gln: string | undefined, ext: string | undefined;
  for (const e of elements) {
    switch (e.ai) {
      case '01': gtin = e.value; break;
      case '21': serial = e.value; break;
      case '10': lot = e.value; break;
      case '00': sscc = e.value; break;
      case '414': gln = e.value; break;
      case '254': ext = e.value; break;
    }
  }
  if (gtin !== undefined && serial !== undefined) return { scheme: 'sgtin', gtin, serial };
  if (gtin !== undefined && lot !== undefined) return { scheme: 'lgtin', gtin, lot };
  if (sscc !== undefined) return { scheme: 'sscc', sscc };
  if (gln !== undefined) return ext === undefined ? { scheme: 'sgln', gln } : { scheme: 'sgln', gln, extension: ext };
  const ais = elements.map((e) => e.ai).join(', ') || 'none';
  throw invalid(`no SGTIN (01+21), LGTIN (01+10), SSCC (00) or SGLN (414) among AIs ${ais}${gtin !== undefined ? ': a GTIN alone identifies a product class, not an instance or lot' : ''}`);
}

/** The AI elements of an identifier, in canonical order (01, 10/21; 00; 414, 254). */
export function elementsOfIdentifier(id: Gs1Identifier): { ai: string; value: string }[] {
  switch (id.scheme) {
    case 'sgtin': return [{ ai: '01', value: id.gtin }, { ai: '21', value: id.serial }];
    case 'lgtin': return [{ ai: '01', value: id.gtin }, { ai: '10', value: id.lot }];
    case 'sscc': return [{ ai: '00', value: id.sscc }];
    case 'sgln': return id.extension === undefined ? [{ ai: '414', value: id.gln }] : [{ ai: '414', value: id.gln }, { ai: '254', value: id.extension }];
  }
}
