/**
 * FHIR server benchmarks (issue 13), against a node process over HTTP, with the full index:
 * - a synthetic US Core population grown step by step (`--fhir-sizes 10000,100000,1000000`, loaded as
 *   transaction Bundles of whole patients), and at each size: single-resource create and read over
 *   HTTP, and each US Core search (random patient / name each time, one at a time: p50 and p99);
 * - the plain-SQLite reference at each size in the same run: the same JSON in one table with the
 *   obvious plaintext indexes, the same searches as SQL;
 * - then Synthea import end to end into that node (`importFiles`, as `carechain import`: validate,
 *   label, encrypt, index, audit, anchor) of a folder (`--synthea <dir>`; the committed fixtures when
 *   absent), and its idempotent re-run.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { importFiles } from '../src/cli/import.ts';
import { freePort, registerTestOrg, startCli, startTestChain, tempDir } from '../test/helpers/env.ts';
import { httpLoad } from './http-load.ts';
import { measure, type BenchResult } from './measure.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- FHIR JSON */

const FIXTURES = fileURLToPath(new URL('../test/fixtures/synthea', import.meta.url));
const RESOURCES_PER_PATIENT = 40;
const FAMILIES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'García', 'Miller', 'Davis', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Pérez', 'Thompson', 'White', 'Harris', 'Sánchez', 'Clark', 'Ramírez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores'];
const GIVEN = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen'];
const VITALS = [['8867-4', '/min'], ['8310-5', 'Cel'], ['29463-7', 'kg'], ['8302-2', 'cm'], ['9279-1', '/min']] as const;
const LABS = [['4548-4', '%'], ['2339-0', 'mg/dL'], ['2093-3', 'mg/dL'], ['2571-8', 'mg/dL'], ['718-7', 'g/dL']] as const;

/** A deterministic pseudo-random stream, so every run builds the same population. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

interface Person { mrn: string; family: string; given: string; birthDate: string; gender: string }

/** Patient number `n` of the population (its name, MRN and birth date are what the searches ask for). */
function person(n: number): Person {
  const r = rng(n + 1);
  const family = `${FAMILIES[Math.floor(r() * FAMILIES.length)]}${n % 97}`;
  return { mrn: `MRN-${n}`, family, given: GIVEN[Math.floor(r() * GIVEN.length)]!, birthDate: `${1940 + Math.floor(r() * 70)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`, gender: r() < 0.5 ? 'female' : 'male' };
}

const day = (r: () => number) => `${2015 + Math.floor(r() * 10)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;

/** One patient's record as a transaction Bundle: the Patient and 39 resources referring to it. */
function patientBundle(n: number): any {
  const p = person(n);
  const r = rng(n * 7919 + 3);
  const pid = `urn:uuid:${randomUUID()}`;
  const subject = { reference: pid };
  const entry: any[] = [{ fullUrl: pid, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:bench:mrn', value: p.mrn }], name: [{ family: p.family, given: [p.given] }], gender: p.gender, birthDate: p.birthDate }, request: { method: 'POST', url: 'Patient' } }];
  const add = (resource: any) => entry.push({ resource, request: { method: 'POST', url: resource.resourceType } });
  for (let i = 0; i < 25; i++) {
    const lab = i % 2 === 1;
    const [code, unit] = (lab ? LABS : VITALS)[i % 5]!;
    add({ resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: lab ? 'laboratory' : 'vital-signs' }] }], code: { coding: [{ system: 'http://loinc.org', code }] }, subject, effectiveDateTime: day(r), valueQuantity: { value: Math.round(r() * 1000) / 10, unit, system: 'http://unitsofmeasure.org', code: unit } });
  }
  for (let i = 0; i < 5; i++) {
    add({ resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: i < 2 ? 'active' : 'resolved' }] }, category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: i % 2 ? 'encounter-diagnosis' : 'problem-list-item' }] }], code: { coding: [{ system: 'http://snomed.info/sct', code: String(44054006 + i) }] }, subject, onsetDateTime: day(r) });
    const start = day(r);
    add({ resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject, period: { start: `${start}T09:00:00Z`, end: `${start}T10:00:00Z` } });
  }
  for (let i = 0; i < 4; i++) {
    add({ resourceType: 'MedicationRequest', status: i ? 'completed' : 'active', intent: 'order', medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: String(860975 + i) }] }, subject, authoredOn: day(r) });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

/** The US Core 6.1 searches measured (patient `n`, by id where the search is by patient). */
const SEARCHES: [string, (p: Person, id: string) => string][] = [
  ['Patient?family&given', (p) => `Patient?family=${encodeURIComponent(p.family)}&given=${p.given}`],
  ['Patient?name (prefix)', (p) => `Patient?name=${encodeURIComponent(p.family.slice(0, 5))}&birthdate=${p.birthDate}`],
  ['Patient?identifier', (p) => `Patient?identifier=urn:bench:mrn|${p.mrn}`],
  ['Patient?gender&name', (p) => `Patient?gender=${p.gender}&name=${encodeURIComponent(p.family)}`],
  ['Observation?patient&category', (_, id) => `Observation?patient=${id}&category=laboratory`],
  ['Observation?patient&category&date', (_, id) => `Observation?patient=${id}&category=vital-signs&date=ge2020-01-01`],
  ['Observation?patient&code', (_, id) => `Observation?patient=${id}&code=http://loinc.org|8867-4`],
  ['Condition?patient&clinical-status', (_, id) => `Condition?patient=${id}&clinical-status=active`],
  ['Condition?patient&category', (_, id) => `Condition?patient=${id}&category=problem-list-item`],
  ['Encounter?patient&date', (_, id) => `Encounter?patient=${id}&date=ge2020-01-01`],
  ['MedicationRequest?patient&intent&status', (_, id) => `MedicationRequest?patient=${id}&intent=order&status=active`],
];

export interface FhirBenchOptions {
  /** Population sizes (resources) at which create, read and search are measured. */
  sizes: number[];
  /** A folder of Synthea bundles to import (default: the committed fixtures). */
  synthea?: string;
  /** Samples per search per size. */
  searchSamples?: number;
}

export async function fhirBenchmarks(progress: (m: string) => void, opts: FhirBenchOptions): Promise<BenchResult[]> {
  const tmp = tempDir('carechain-bench-fhir-');
  const chain = await startTestChain(tmp.dir);
  const results: BenchResult[] = [];
  const org = await registerTestOrg(chain, tmp.dir, 'bench-fhir');
  const port = await freePort();
  const node = startCli(['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn', '--anchor-interval-ms', '1000', '--expensive-per-minute', '10000000']);
  const plain = plainReference(join(tmp.dir, 'plain.db'));
  try {
    const { url } = (await node.ready) as { url: string };
    const token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };

    // Single creates go to patients of their own, so the searched population keeps its shape.
    const createPatients: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${url}/fhir/Patient`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: `Load${i}` }], gender: 'female' }) });
      createPatients.push(((await res.json()) as { id: string }).id);
    }
    let loaded = createPatients.length;
    let patients = 0;
    const patientIds: string[] = [];
    for (const size of opts.sizes) {
      const target = Math.max(0, size - loaded);
      const bundles = Math.ceil(target / RESOURCES_PER_PATIENT);
      if (bundles > 0) {
        progress(`loading ${bundles * RESOURCES_PER_PATIENT} resources as ${bundles} patient transactions (to ${size})`);
        const first = patients;
        const load = await httpLoad(`bulk load to ${size}: patient transactions (40 resources each)`, url, (i) => ({ method: 'POST', path: '/fhir', headers, body: JSON.stringify(patientBundle(first + i)) }), {
          requests: bundles, concurrency: 8, expectStatus: 200,
        });
        if (load.errors) throw new Error(`${load.errors} transactions failed`);
        results.push({ ...load, operation: `  bulk load to ${size} (resources/s)`, ops: bundles * RESOURCES_PER_PATIENT, opsPerSec: load.opsPerSec * RESOURCES_PER_PATIENT });
        patients += bundles;
        loaded += bundles * RESOURCES_PER_PATIENT;
        plain.load(first, patients);
      }
      await collectPatientIds(url, headers, patientIds, patients);

      const at = loaded;
      progress(`at ${at} resources: create, read, searches`);
      const createdIds: string[] = [];
      const template = patientBundle(0).entry.slice(1, 26).map((e: any) => e.resource);
      const create = await httpLoad(`create over HTTP at ${size}`, url, (i) => ({
        method: 'POST', path: '/fhir/Observation', headers: { ...headers, prefer: 'return=minimal' },
        body: JSON.stringify({ ...template[i % template.length], subject: { reference: `Patient/${createPatients[i % createPatients.length]}` } }),
      }), { requests: 5000, concurrency: 64, expectStatus: 201 });
      results.push({ ...create, operation: `create over HTTP, ${at} resources`, note: `node.db ${dbSize(org.dataDir)} MB` });
      loaded += 5000;
      for (let page = 0; createdIds.length < 2000; page++) {
        const b = (await (await fetch(`${url}/fhir/Observation?patient=${createPatients[page % createPatients.length]}&_count=100&_elements=id`, { headers })).json()) as any;
        createdIds.push(...(b.entry ?? []).map((e: any) => e.resource.id));
        if (page > 200) break;
      }
      results.push({ ...(await httpLoad('read', url, (i) => ({ method: 'GET', path: `/fhir/Observation/${createdIds[i % createdIds.length]}`, headers }), { requests: 10_000, concurrency: 64, expectStatus: 200 })), operation: `read over HTTP, ${at} resources` });

      for (const [name, make] of SEARCHES) {
        const samples = opts.searchSamples ?? 200;
        const r = rng(size + name.length);
        const picks = Array.from({ length: samples }, () => Math.floor(r() * patientIds.length));
        const res = await httpLoad(name, url, (i) => ({ method: 'GET', path: `/fhir/${make(person(picks[i]!), patientIds[picks[i]!]!)}`, headers }), { requests: samples, concurrency: 1, expectStatus: 200 });
        results.push({ ...res, operation: `  search ${name}, ${at}` });
      }
      results.push(...(await plain.measure(at, patients)));
    }

    const folder = opts.synthea ?? FIXTURES;
    if (!existsSync(folder)) throw new Error(`--synthea ${folder} does not exist`);
    progress(`Synthea import of ${folder} (into the node holding ${loaded} resources)`);
    const imported = await importFiles({ path: folder, target: { url, token }, stateFile: join(tmp.dir, 'import-state.json'), quiet: true, concurrency: 4 });
    if (imported.failed.length) throw new Error(`import failed: ${imported.failed[0]!.file}: ${imported.failed[0]!.problem}`);
    results.push({ operation: 'Synthea import end to end (carechain import)', ops: imported.resources, opsPerSec: imported.resources / imported.seconds, p50Ms: NaN, p99Ms: NaN, note: `${imported.files} bundles in ${imported.seconds.toFixed(1)} s, node held ${loaded}` });
    const rerun = await importFiles({ path: folder, target: { url, token }, stateFile: join(tmp.dir, 'import-state-2.json'), quiet: true, concurrency: 4 });
    results.push({ operation: 'Synthea re-import (idempotent: no new versions)', ops: rerun.resources, opsPerSec: rerun.resources / rerun.seconds, p50Ms: NaN, p99Ms: NaN });

  } finally {
    plain.close();
    await node.stop();
    await chain.stop();
    tmp.remove();
  }
  return results;
}

/** The node's database with its write-ahead log, in MB. */
function dbSize(dataDir: string): number {
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  return Math.round((size(join(dataDir, 'node.db')) + size(join(dataDir, 'node.db-wal'))) / 1e6);
}

/** The server ids of patients 0..n-1 (by MRN, in order), appended to `ids`. */
async function collectPatientIds(url: string, headers: Record<string, string>, ids: string[], n: number): Promise<void> {
  const pending: Promise<void>[] = [];
  const found: string[] = new Array(n - ids.length);
  const start = ids.length;
  for (let k = start; k < n; k++) {
    pending.push(
      fetch(`${url}/fhir/Patient?identifier=urn:bench:mrn|MRN-${k}&_elements=id`, { headers })
        .then((r) => r.json())
        .then((b: any) => void (found[k - start] = b.entry[0].resource.id)),
    );
    if (pending.length >= 32) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  ids.push(...found);
}

/**
 * The reference in the same run: the same population's JSON in plain SQLite (no encryption, no
 * blinding, no audit, no log), with the plaintext indexes a naive server would use.
 */
function plainReference(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE res (id TEXT PRIMARY KEY, type TEXT, patient INTEGER, family TEXT, category TEXT, code TEXT, date TEXT, json TEXT);
    CREATE INDEX res_patient ON res (type, patient, category, date);
    CREATE INDEX res_family ON res (type, family);`);
  const insert = db.prepare('INSERT INTO res VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const byPatient = db.prepare("SELECT json FROM res WHERE type = 'Observation' AND patient = ? AND category = ?");
  const byName = db.prepare("SELECT json FROM res WHERE type = 'Patient' AND family >= ? AND family < ? || char(1114111)");
  return {
    load(from: number, to: number) {
      db.transaction(() => {
        for (let n = from; n < to; n++) {
          for (const e of patientBundle(n).entry) {
            const r = e.resource;
            insert.run(randomUUID(), r.resourceType, n, r.name?.[0]?.family?.toLowerCase() ?? null, r.category?.[0]?.coding?.[0]?.code ?? null, r.code?.coding?.[0]?.code ?? null, r.effectiveDateTime ?? null, JSON.stringify(r));
          }
        }
      })();
    },
    async measure(size: number, patients: number): Promise<BenchResult[]> {
      const r = rng(size);
      return [
        await measure(`  plain SQLite Observation?patient&category, ${size}`, () => byPatient.all(Math.floor(r() * patients), 'laboratory').map((x: any) => JSON.parse(x.json)), { iterations: 2000 }),
        await measure(`  plain SQLite Patient?name (prefix), ${size}`, () => {
          const prefix = person(Math.floor(r() * patients)).family.slice(0, 5).toLowerCase();
          return byName.all(prefix, prefix).map((x: any) => JSON.parse(x.json));
        }, { iterations: 2000 }),
      ];
    },
    close: () => db.close(),
  };
}
