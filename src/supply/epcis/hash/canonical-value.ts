/**
 * Canonical forms of single values in the CBV 2.0 event hash pre-hash string (CBV 2.0 §8.9.2):
 * - CBV URNs (`urn:epcglobal:cbv:bizstep:shipping`, `…:disp:`, `…:btt:`, `…:sdt:`, `…:er:`) become the Web URIs
 *   `https://ref.gs1.org/cbv/BizStep-shipping`, …;
 * - numbers lose leading `+`, leading/trailing zeros and a trailing `.0` (`"+012.50"` → `12.5`, `3.0` → `3`);
 * - GS1 identifiers (EPC URIs, class/pattern URIs, Digital Links) become the canonical Digital Link;
 * - timestamps become UTC at millisecond precision, `2019-04-02T14:00:00.000Z` (half-even rounding of the
 *   microseconds, as the reference implementation does with Python's `round`).
 *
 * Numbers are rendered as Python's `str(float)` does (e.g. `1e-05`, not `0.00001`), for byte-compatibility
 * with GS1's reference implementation.
 */
import { normaliseIdentifier } from './dl-normaliser.ts';

const CBV_URNS: [string, string][] = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

/** The canonical form of a (trimmed, non-empty) value: CBV Web URI, number, or Digital Link; otherwise unchanged. */
export function canonicalValue(text: string): string {
  let t = text;
  if (t.includes('urn:epcglobal:cbv:')) for (const [from, to] of CBV_URNS) t = t.split(from).join(to);
  t = canonicalNumber(t);
  return normaliseIdentifier(t) ?? t;
}

const PY_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/** A string Python's `float()` accepts is rewritten as `str(int)` when integral, else `str(float)`; others are unchanged. */
export function canonicalNumber(text: string): string {
  if (!PY_FLOAT.test(text)) return text;
  const v = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(v)) return text;
  return Number.isInteger(v) ? BigInt(v).toString() : pyFloatRepr(v);
}

/** Python's `repr(float)`: shortest round-trip digits, fixed notation for 1e-4 ≤ |v| < 1e16, else `d.ddde±XX`. */
export function pyFloatRepr(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  const decpt = exp + 1;
  const sign = v < 0 ? '-' : '';
  if (decpt <= -4 || decpt > 16) {
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** Python's `str()` of a JSON scalar as `json.loads` would give it (`True`, `None`, `5`, `2.5`). */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pyFloatRepr(value);
  return String(value);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A timestamp in UTC with millisecond precision (`…T02:33:31.116Z`); a value that is not an ISO 8601 date-time
 * is returned unchanged. A time without zone is taken as UTC.
 */
export function canonicalTimestamp(text: string): string {
  const m = ISO.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const micros = Number((frac ?? '').padEnd(6, '0').slice(0, 6));
  let ms = Math.floor(micros / 1000);
  const rest = micros % 1000;
  if (rest > 500 || (rest === 500 && ms % 2 === 1)) ms++;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = zone.replace(':', '');
    offsetMin = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5) || 0));
  }
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms) - offsetMin * 60_000;
  if (Number.isNaN(t)) return text;
  return new Date(t).toISOString();
}
