/**
 * Micro-benchmark of GS1 barcode verification (`npx tsx bench/gs1-parse.ts`): parsing a scanned DataMatrix
 * element string (check digit, date and association checks included), a GS1 Digital Link URI, and the
 * element string → EPC URN conversion. Plain `performance.now()` loops after a warm-up; prints µs/op and ops/s.
 * The product target is ≥ 20,000 verifications/s, i.e. well under 10 µs per parse.
 */
import { parseElementString, GS } from '../src/supply/gs1/element-string.ts';
import { parseDigitalLink } from '../src/supply/gs1/digital-link.ts';
import { toEpcUriFrom } from '../src/supply/gs1/convert.ts';

const today = new Date();
const cases: [string, () => unknown][] = [
  ['parseElementString ]d2 01+17+10+21', () => parseElementString(`]d201095060001343521720122510ABC${GS}21123456789`, { today })],
  ['parseElementString (brackets)', () => parseElementString('(01)09506000134352(17)201225(10)ABC(21)123456789', { today })],
  ['parseElementString (no `today`)', () => parseElementString(`]d201095060001343521720122510ABC${GS}21123456789`)],
  ['parseDigitalLink', () => parseDigitalLink('https://id.gs1.org/01/09506000134352/10/ABC/21/123456789?17=201225', { today })],
  ['element string -> EPC URN', () => toEpcUriFrom(`]d201095060001343521720122510ABC${GS}21123456789`)],
];
const seconds = Number(process.argv[2] ?? 1);
for (const [name, fn] of cases) {
  for (let i = 0; i < 20_000; i++) fn();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = performance.now();
  }
  const us = ((now - start) * 1000) / n;
  console.log(`${name.padEnd(40)} ${us.toFixed(2).padStart(7)} µs/op ${Math.round(1e6 / us).toLocaleString('en-US').padStart(12)} ops/s`);
}
