/**
 * A scanned or typed product identifier in any GS1 syntax — a DataMatrix element string (`]d2` prefix,
 * GS separators), a bracketed element string, a GS1 Digital Link URI or an EPC URN — read into the unit
 * it names and the attributes it carries (lot, expiry).
 */
import { parseGs1Identifier } from '../gs1/index.ts';
import { invalid } from '../../shared/errors.ts';
import { containerId, itemId } from '../ledger/keys.ts';

export interface ScannedUnit {
  /** The unit id (`01<GTIN>21<serial>` or `00<SSCC>`). */
  id: string;
  kind: 'item' | 'container';
  gtin?: string;
  serial?: string;
  sscc?: string;
  lot?: string;
  /** YYYY-MM-DD */
  expiry?: string;
}

export function scan(input: string, options: { today?: Date } = {}): ScannedUnit {
  const parsed = parseGs1Identifier(input.trim(), options);
  const lot = parsed.elements.find((e) => e.ai === '10')?.value;
  const expiry = parsed.elements.find((e) => e.ai === '17')?.date;
  if (parsed.id.scheme === 'sgtin') return { id: itemId(parsed.id.gtin, parsed.id.serial), kind: 'item', gtin: parsed.id.gtin, serial: parsed.id.serial, ...(lot ? { lot } : {}), ...(expiry ? { expiry } : {}) };
  if (parsed.id.scheme === 'sscc') return { id: containerId(parsed.id.sscc), kind: 'container', sscc: parsed.id.sscc };
  throw invalid(`${input.slice(0, 80)} identifies ${parsed.id.scheme === 'lgtin' ? 'a lot, not a serialized unit: add the serial (AI 21)' : 'a location, not a product'}`);
}
