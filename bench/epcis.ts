/**
 * Micro-benchmark of the EPCIS 2.0 pure functions (`npx tsx bench/epcis.ts [seconds]`): schema validation, event
 * hash IDs and the typed event view, on GS1's example documents. Plain `performance.now()` loops after a warm-up.
 */
import { readFileSync } from 'node:fs';
import { validateEpcisDocument } from '../src/supply/epcis/validate.ts';
import { eventHashesOf } from '../src/supply/epcis/hash/event-hash.ts';
import { eventsOf } from '../src/supply/epcis/events.ts';

const load = (rel: string): unknown => JSON.parse(readFileSync(new URL(`../test/fixtures/gs1-epcis-examples/${rel}`, import.meta.url), 'utf8'));
const simple = load('WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld'); // 2 ObjectEvents
const full = load('WithFullCombinationOfFields/object_event_all_possible_fields.jsonld'); // 1 event, every field
const sensor = load('WithSensorData/SensorDataExample1.jsonld');

const t0 = performance.now();
validateEpcisDocument(simple);
console.log(`schema compile (first call)               ${(performance.now() - t0).toFixed(0)} ms`);

const seconds = Number(process.argv[2] ?? 1);
const cases: [string, number, () => unknown][] = [
  ['validate, 2-event document', 2, () => validateEpcisDocument(simple)],
  ['validate, all-fields event', 1, () => validateEpcisDocument(full)],
  ['hash IDs, 2-event document', 2, () => eventHashesOf(simple)],
  ['hash ID, all-fields event', 1, () => eventHashesOf(full)],
  ['hash ID, sensor-data event', 1, () => eventHashesOf(sensor)],
  ['eventsOf, 2-event document', 2, () => eventsOf(simple)],
];
for (const [name, events, fn] of cases) {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1000) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = performance.now();
  }
  const us = ((now - start) * 1000) / n;
  console.log(`${name.padEnd(40)} ${us.toFixed(1).padStart(7)} µs/doc ${Math.round((1e6 / us) * events).toLocaleString('en-US').padStart(9)} events/s`);
}
