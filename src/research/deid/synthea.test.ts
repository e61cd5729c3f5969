/**
 * De-identification of real-shaped data: the Synthea bundles in test/fixtures/synthea. Every
 * identifying value of the originals is searched for in the output.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validate } from '../../fhir/validation.ts';
import type { Resource } from '../../fhir/types.ts';
import { deidentify, type FhirResource } from './deidentify.ts';

const dir = new URL('../../../test/fixtures/synthea/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const bundles = files.map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as FhirResource);
const options = { studyId: 'synthea-study', studySecret: Buffer.alloc(32, 3), asOf: new Date('2019-06-01T00:00:00Z') };
const { resources: out, report } = deidentify(bundles, options);

type Json = Record<string, unknown>;
type Entry = { fullUrl?: string; resource: FhirResource };
const entries = (b: FhirResource) => b['entry'] as Entry[];

/** Values that identify someone in the original: names, numbers, contact and address details, dates, ids. */
function identifyingValues(b: FhirResource): Set<string> {
  const values = new Set<string>();
  const take = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 4) values.add(v);
  };
  for (const { fullUrl, resource: r } of entries(b)) {
    take(fullUrl?.replace('urn:uuid:', ''));
    take(r.id);
    if (!['Patient', 'Practitioner', 'Organization'].includes(r.resourceType)) continue;
    for (const n of (r['name'] as Json[] | string | undefined) ?? []) {
      if (typeof n === 'string') take(n);
      else {
        take(n['family']);
        for (const g of (n['given'] as string[] | undefined) ?? []) take(g);
      }
    }
    if (typeof r['name'] === 'string') take(r['name']);
    for (const i of (r['identifier'] as Json[] | undefined) ?? []) take(i['value']);
    for (const t of (r['telecom'] as Json[] | undefined) ?? []) take(t['value']);
    for (const a of (r['address'] as Json[] | undefined) ?? []) {
      for (const l of (a['line'] as string[] | undefined) ?? []) take(l);
      take(a['city']);
      take(a['postalCode']);
    }
    take(r['birthDate']);
    take(r['deceasedDateTime']);
    for (const e of (r['extension'] as Json[] | undefined) ?? []) {
      take(e['valueString'] === 'White' ? undefined : e['url'] === 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName' ? e['valueString'] : undefined);
      const addr = e['valueAddress'] as Json | undefined;
      take(addr?.['city']);
    }
  }
  return values;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('deidentify on Synthea bundles', () => {
  it(`uses ${files.length} bundles from test/fixtures/synthea`, () => assert.ok(files.length >= 3));

  for (const [i, f] of files.entries()) {
    it(`${f.slice(0, f.indexOf('_', f.indexOf('_') + 1))}: no name, number, address, full date or id of the original is left`, () => {
      const text = JSON.stringify(out[i]).toLowerCase();
      const values = identifyingValues(bundles[i]!);
      assert.ok(values.size > 50, `only ${values.size} identifying values collected`);
      for (const v of values) {
        // Whole-token search: "02026" must not appear, but "110.46199999999999" may contain "9999".
        const re = new RegExp(`(?<![0-9a-z.])${escape(v.toLowerCase())}(?![0-9a-z])`);
        assert.ok(!re.test(text), `${JSON.stringify(v)} is still in the output`);
      }
    });
  }

  it('leaves no date finer than a year, anywhere', () => {
    const text = JSON.stringify(out);
    assert.equal(text.match(/\d{4}-\d{2}-\d{2}/g), null);
    assert.equal(text.match(/"\d{4}-\d{2}"/g), null);
  });

  it('keeps every entry and every resource type, in order', () => {
    for (const [i, b] of bundles.entries()) {
      assert.deepEqual(entries(out[i]!).map((e) => e.resource.resourceType), entries(b).map((e) => e.resource.resourceType));
    }
  });

  it('keeps every reference resolvable inside its bundle', () => {
    let refs = 0;
    for (const b of out) {
      const targets = new Set(entries(b).map((e) => e.fullUrl));
      const walk = (v: unknown, contained: Set<string>) => {
        if (Array.isArray(v)) for (const x of v) walk(x, contained);
        else if (v && typeof v === 'object') {
          const o = v as Json;
          const own = Array.isArray(o['contained']) ? new Set((o['contained'] as FhirResource[]).map((c) => `#${c.id}`)) : contained;
          for (const [k, x] of Object.entries(o)) {
            if (k === 'reference' && typeof x === 'string') {
              refs++;
              assert.ok(targets.has(x) || own.has(x), `dangling reference ${x}`);
            } else walk(x, own);
          }
        }
      };
      for (const e of entries(b)) walk(e.resource, new Set());
    }
    assert.ok(refs > 1000, `only ${refs} references checked`);
  });

  it('links the same patient across separate exports of the same study', () => {
    const again = deidentify([bundles[0]!], options).resources[0]!;
    assert.equal(entries(again)[0]!.resource.id, entries(out[0]!)[0]!.resource.id);
  });

  it('still produces valid FHIR R4 (structure, cardinality, types)', () => {
    for (const b of out) for (const e of entries(b)) validate(e.resource as Resource);
  });

  it('reports what it did', () => {
    assert.equal(report.patients, files.length);
    assert.equal(report.classes.ssn.removed, files.length);
    assert.equal(report.classes.mrn.removed, files.length);
    assert.equal(report.classes.names.removed >= files.length * 2, true); // the patient and the mother's maiden name
    assert.equal(report.freeText.removedByCheck, 0); // no code display named anyone
    assert.deepEqual(report.unknownElementsRemoved, {});
    assert.deepEqual(report.warnings, []);
  });
});
