/**
 * `npm run bench -- claims [--synthea <folder>]`: the insurer's adjudication as its node runs it
 * (`src/claims/adjudication.ts`, the code `ClaimsService.receive` calls): verify the Encounter's
 * inclusion proof against the anchored root, normalize the FHIR Claim, run every rule with a year of
 * claim history and ledger lookups (licence history, exclusions), decide, build the ClaimResponse and
 * the ExplanationOfBenefit. The same claims are then adjudicated with the rules off, in the same run.
 * Then every Claim of the Synthea bundles (the committed fixtures, or `--synthea <folder>`) is
 * adjudicated with the facts its bundle holds, and the flags are counted per rule.
 *
 * Not measured here: the ledger transaction (one per decision, bounded by the chain's block rate), the
 * signed HTTP round trip and the sealed row write. The integration test (test/claims.test.ts) runs
 * those for real.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, type Hex } from 'viem';
import { adjudicate } from '../src/claims/adjudication.ts';
import { EmTally } from '../src/claims/em-tally.ts';
import type { ClaimOverlay, LedgerLookups } from '../src/claims/claim-facts.ts';
import { verifyEncounterEvidence, type EncounterEvidence } from '../src/claims/encounter-evidence.ts';
import { licenceStatusOn, type DatedStatus } from '../src/claims/licence-at.ts';
import { addDays } from '../src/claims/rules/dates.ts';
import { InMemoryClaimFacts } from '../src/claims/rules/in-memory-facts.ts';
import { bundleResolver, normalizeClaim } from '../src/claims/rules/normalize.ts';
import type { Demographics, EncounterProof, IsoDate, NormalizedClaim } from '../src/claims/rules/types.ts';
import { loadSyntheticTables } from '../src/claims/tables/claim-tables.ts';
import type { AnchorRow } from '../src/indexer/projectors/anchors.ts';
import { inclusionProof } from '../src/merkle/proofs.ts';
import { MerkleTree } from '../src/merkle/tree.ts';
import { measure, type BenchResult } from './measure.ts';

type Json = Record<string, unknown>;
const LOG_ID = `0x${'0'.repeat(63)}1` as Hex;
const FIXTURES = join(import.meta.dirname, '../test/fixtures/synthea');

let seed = 0x2545f491;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const CODES = ['99213', '99213', '99214', '99214', '99215', '99203', '36415', '93000', '93005', '20610', '20605', '90837', '90834', '97110', '97140', '97530', 'G0439', '77067', '55700', '99386', '96372', '11042'];
const MODS = [[], [], [], [], ['25'], ['59'], ['RT'], ['XS']];

function fhirClaim(id: string, patient: number, provider: number, date: IsoDate): Json {
  const n = 1 + Math.floor(rand() * 4);
  return {
    resourceType: 'Claim',
    id,
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${patient}` },
    created: date,
    provider: { reference: `Practitioner/${provider}`, identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: `10000${String(provider).padStart(5, '0')}` } },
    priority: { coding: [{ code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/c' } }],
    item: Array.from({ length: n }, (_, i) => ({
      sequence: i + 1,
      productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: pick(CODES) }] },
      modifier: pick(MODS).map((m) => ({ coding: [{ code: m }] })),
      servicedDate: date,
      locationCodeableConcept: { coding: [{ code: '11' }] },
      quantity: { value: rand() < 0.85 ? 1 : 2 },
      net: { value: 100 },
      encounter: [{ reference: `Encounter/${id}` }],
    })),
  };
}

/** A record log of Encounter leaves, anchored once: evidence for each by reference. */
function anchoredEncounters(encs: { ref: string; date: IsoDate }[]): { evidence: Map<string, EncounterEvidence>; anchors: AnchorRow[] } {
  const tree = new MerkleTree();
  const leaves = encs.map((e) => Buffer.from(JSON.stringify({ a: 'Practitioner/x', h: 'h', i: e.ref.slice('Encounter/'.length), op: 'create', p: 'tok', t: 'Encounter', ts: `${e.date}T12:00:00Z`, v: 1 })));
  for (const l of leaves) tree.append(l);
  const root = bytesToHex(tree.root()) as Hex;
  const anchors: AnchorRow[] = [{ orgId: LOG_ID, kind: 'records', logId: LOG_ID, index: 0, treeSize: tree.size, root, timestamp: 0, blockNumber: 1, txHash: LOG_ID }];
  const evidence = new Map<string, EncounterEvidence>();
  encs.forEach((e, i) =>
    evidence.set(e.ref, { reference: e.ref, date: e.date, leafIndex: i, leaf: leaves[i]!.toString('base64'), proof: inclusionProof(tree, i, tree.size).map((h) => bytesToHex(h)), anchor: { index: 0, treeSize: tree.size, root, blockNumber: 1 } }),
  );
  return { evidence, anchors };
}

function overlayOf(evidence: readonly EncounterEvidence[], anchors: AnchorRow[], extra: Partial<ClaimOverlay> = {}): ClaimOverlay {
  const encounters = new Map<IsoDate, EncounterProof>();
  for (const e of evidence) {
    const r = verifyEncounterEvidence(e, anchors, LOG_ID);
    if (r.ok) encounters.set(e.date, r.proof);
  }
  return { encounters, credentials: extra.credentials ?? new Map(), ...(extra.demographics ? { demographics: extra.demographics } : {}), ...(extra.death ? { death: extra.death } : {}) };
}

export async function claimsBenchmarks(progress: (m: string) => void, opts: { synthea?: string; claims?: number; history?: number; rules?: string[] } = {}): Promise<BenchResult[]> {
  const N = opts.claims ?? 20_000;
  const H = opts.history ?? 50_000;
  const PATIENTS = 10_000;
  const PROVIDERS = 100;
  const tables = loadSyntheticTables();
  progress(`generating ${H.toLocaleString('en-US')} history claims and ${N.toLocaleString('en-US')} FHIR Claims to adjudicate`);
  const who = () => {
    const patient = Math.floor(rand() * PATIENTS);
    return { patient, provider: (patient * 7 + Math.floor(rand() * 3) * 13) % PROVIDERS };
  };
  const history: NormalizedClaim[] = Array.from({ length: H }, (_, i) => {
    const w = who();
    return normalizeClaim(fhirClaim(`H-${i}`, w.patient, w.provider, addDays('2024-01-01', Math.floor(rand() * 300))));
  });
  const incoming = Array.from({ length: N }, (_, i) => {
    const w = who();
    return { claim: fhirClaim(`N-${i}`, w.patient, w.provider, addDays('2024-01-01', 300 + Math.floor(rand() * 65))), provider: w.provider, patient: w.patient };
  });
  // 98% of the incoming claims' Encounters are anchored.
  const anchored = anchoredEncounters(incoming.filter(() => rand() < 0.98).map((c) => ({ ref: `Encounter/${c.claim.id as string}`, date: (c.claim.created as string) })));
  // Licence histories on the ledger (every 97th practitioner suspended mid-year) and one LEIE exclusion.
  const licences = new Map<string, DatedStatus[]>(
    Array.from({ length: PROVIDERS }, (_, p) => [`0x${p.toString(16).padStart(64, '0')}`, [{ status: 'active', block: 10, date: '2015-01-01' }, ...(p % 97 === 0 ? [{ status: 'suspended' as const, block: 500, date: '2024-06-01' }] : [])]]),
  );
  const lookups: LedgerLookups = {
    licenceAt: async (id, date) => licenceStatusOn(licences.get(id) ?? [], date, id),
    exclusionAt: (npi) => (npi === '1000000007' ? { list: 'LEIE', since: '2023-01-01', type: '1128a1' } : null),
  };
  const credentialsOf = (provider: number) => new Map([[`Practitioner/${provider}`, `0x${provider.toString(16).padStart(64, '0')}`]]);
  const demographics = (patient: number): Demographics => ({ gender: patient % 2 ? 'male' : 'female', birthDate: `${1940 + (patient % 70)}-06-15` });

  const run = async (label: string, enabled: string[] | undefined) => {
    const facts = new InMemoryClaimFacts({ tables, claims: history });
    const em = new EmTally();
    for (const h of history) em.add(h);
    const flagged = { n: 0 };
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const result = await measure(
      label,
      async (i) => {
        const c = incoming[i % N]!;
        const ev = anchored.evidence.get(`Encounter/${c.claim.id as string}`);
        const overlay = overlayOf(ev ? [ev] : [], anchored.anchors, { credentials: credentialsOf(c.provider), demographics: demographics(c.patient) });
        const normalized = normalizeClaim(c.claim);
        const a = await adjudicate({ claim: c.claim, normalized, claimId: `0x${i.toString(16).padStart(64, '0')}`, insurer: '0xinsurer', history: facts, em, overlay, lookups, ...(enabled ? { enabled } : {}) });
        if (a.run.flags.length) flagged.n++;
      },
      { iterations: N, concurrency: 1, warmup: 200 },
    );
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const wallSeconds = (performance.now() - wall0) / 1000;
    // On a shared machine the wall-clock rate depends on the other processes; the rate per CPU-second does not.
    const perCpu = Math.round((N + 200) / cpuSeconds);
    return { ...result, note: `${perCpu.toLocaleString('en-US')} claims per CPU-second (this process had ${Math.round((100 * cpuSeconds) / wallSeconds)}% of a core); ${flagged.n.toLocaleString('en-US')} of ${(N + 200).toLocaleString('en-US')} flagged; history ${H.toLocaleString('en-US')} claims` };
  };
  progress('adjudicating with every rule on');
  const on = await run(`claims adjudicated, every rule on (${N.toLocaleString('en-US')} FHIR Claims)`, opts.rules);
  progress('adjudicating the same claims with the rules off');
  const off = await run('claims adjudicated, rules off (same claims)', []);

  const dir = opts.synthea ?? FIXTURES;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  progress(`adjudicating every Claim of ${files.length} Synthea bundles in ${dir}`);
  const perRule = new Map<string, number>();
  const decisions = new Map<string, number>();
  let claims = 0;
  let eobs = 0;
  let eobsLinked = 0;
  let rejected = 0;
  const facts = new InMemoryClaimFacts({ tables });
  const em = new EmTally();
  const started = performance.now();
  for (const f of files) {
    const bundle = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json;
    const entries = ((bundle.entry as Json[] | undefined) ?? []).map((e) => e.resource as Json);
    const resolve = bundleResolver(bundle);
    const patient = entries.find((r) => r.resourceType === 'Patient');
    const claimIds = new Set<string>();
    const encs = entries.filter((r) => r.resourceType === 'Encounter').map((r) => {
      const p = r.period as Json | undefined;
      return { ref: `Encounter/${r.id as string}`, date: String(p?.start ?? '').slice(0, 10) };
    });
    const anchoredHere = anchoredEncounters(encs);
    const byFullUrl = new Map(((bundle.entry as Json[] | undefined) ?? []).map((e) => [e.fullUrl as string, `Encounter/${(e.resource as Json).id as string}`]));
    for (const r of entries) {
      if (r.resourceType !== 'Claim') continue;
      claims++;
      claimIds.add(r.id as string);
      let normalized: NormalizedClaim;
      try {
        normalized = normalizeClaim(r, { resolve });
      } catch {
        rejected++;
        continue;
      }
      const refs = new Set<string>();
      for (const it of (r.item as Json[] | undefined) ?? []) for (const e of (it.encounter as Json[] | undefined) ?? []) refs.add(byFullUrl.get(e.reference as string) ?? (e.reference as string));
      const evidence = [...refs].map((x) => anchoredHere.evidence.get(x)).filter((x): x is EncounterEvidence => x !== undefined);
      const deceased = typeof patient?.deceasedDateTime === 'string' ? { date: patient.deceasedDateTime.slice(0, 10) } : undefined;
      const overlay = overlayOf(evidence, anchoredHere.anchors, {
        demographics: { ...(typeof patient?.birthDate === 'string' ? { birthDate: patient.birthDate } : {}), ...(typeof patient?.gender === 'string' ? { gender: patient.gender as Demographics['gender'] } : {}) },
        ...(deceased ? { death: deceased } : {}),
      });
      const a = await adjudicate({ claim: r, normalized, claimId: `0x${claims.toString(16).padStart(64, '0')}`, insurer: '0xinsurer', history: facts, em, overlay, lookups });
      decisions.set(a.outcome.decision, (decisions.get(a.outcome.decision) ?? 0) + 1);
      for (const rule of new Set(a.run.flags.map((x) => x.rule))) perRule.set(rule, (perRule.get(rule) ?? 0) + 1);
    }
    for (const r of entries) {
      if (r.resourceType !== 'ExplanationOfBenefit') continue;
      eobs++;
      const ref = ((r.claim as Json | undefined)?.reference as string | undefined) ?? '';
      if (claimIds.has(ref.replace(/^urn:uuid:/, '').replace(/^Claim\//, ''))) eobsLinked++;
    }
  }
  const ms = performance.now() - started;
  const flagText = [...perRule].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const decisionText = [...decisions].map(([k, v]) => `${k} ${v}`).join(', ');
  progress(`Synthea: ${claims} Claims (${rejected} not normalizable), ${eobs} EOBs (${eobsLinked} linked to a Claim in their bundle); decisions: ${decisionText}; claims flagged per rule: ${flagText}`);
  const synthea: BenchResult = {
    operation: `Synthea Claims adjudicated (${files.length} bundles)`,
    ops: claims,
    opsPerSec: claims / (ms / 1000),
    p50Ms: NaN,
    p99Ms: NaN,
    note: `${decisionText}; flagged per rule: ${flagText}; ${eobs} EOBs read, ${eobsLinked} linked`,
  };
  return [on, off, synthea];
}
