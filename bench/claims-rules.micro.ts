/**
 * Claim-rule engine micro-benchmark: every rule on, an in-memory ClaimFacts holding a year of claim
 * history, the synthetic NCCI/MUE/timed/age-sex/frequency tables. Reports claims/s for `runRules`
 * (one claim at a time, and 32 in flight) and for `normalizeClaim` on HL7's CMS-1500-style example.
 *
 *   npx tsx bench/claims-rules.micro.ts [--claims 20000] [--history 100000]
 *
 * The product target is ≥ 2,000 claims/s with every rule on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSyntheticTables } from '../src/claims/tables/claim-tables.ts';
import { addDays } from '../src/claims/rules/dates.ts';
import { ALL_RULES, runRules } from '../src/claims/rules/engine.ts';
import { InMemoryClaimFacts, type InMemoryFactsInit } from '../src/claims/rules/in-memory-facts.ts';
import { normalizeClaim } from '../src/claims/rules/normalize.ts';
import { claim, encounterProof, type LineSpec } from '../src/claims/rules/testing.ts';
import type { EmCounts, NormalizedClaim } from '../src/claims/rules/types.ts';
import { measure, printTable, type BenchResult } from './measure.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N_CLAIMS = arg('--claims', 20_000);
const N_HISTORY = arg('--history', 100_000);
const N_PATIENTS = arg('--patients', 20_000);
const N_PROVIDERS = arg('--providers', 100);
/** Each patient sees a few providers, so member+provider pairs and provider days have real history. */
const PROVIDERS_PER_PATIENT = 3;

// Deterministic PRNG (mulberry32): the same data every run.
let seed = 0x9e3779b9;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

// A code mix that hits every table: E/M levels, PTP pairs, MUE codes, timed codes, frequency and age/sex codes.
const CODES = [
  '99213',
  '99213',
  '99214',
  '99214',
  '99215',
  '99203',
  '36415',
  '93000',
  '93005',
  '20610',
  '20605',
  '90837',
  '90834',
  '97110',
  '97140',
  '97530',
  'G0439',
  '77067',
  '55700',
  '99386',
  '96372',
  '11042',
];
const MODIFIERS = [[], [], [], [], ['25'], ['59'], ['RT'], ['XS']];
const START = '2024-01-01';

function randomClaim(id: string, dayOffset: number): NormalizedClaim {
  const date = addDays(START, dayOffset);
  const n = 1 + Math.floor(rand() * 4);
  const lines: LineSpec[] = Array.from({ length: n }, () => ({ code: pick(CODES), qty: rand() < 0.85 ? 1 : 2, mods: pick(MODIFIERS), pos: '11' }));
  const patient = Math.floor(rand() * N_PATIENTS);
  const provider = (patient * 7 + Math.floor(rand() * PROVIDERS_PER_PATIENT) * 13) % N_PROVIDERS;
  return claim({ id, patient: `Patient/${patient}`, provider: `Practitioner/${provider}`, npi: `10000${String(provider).padStart(5, '0')}`, date, lines });
}

const progress = (m: string) => process.stderr.write(`  … ${m}\n`);
progress(`generating ${N_HISTORY.toLocaleString('en-US')} history claims and ${N_CLAIMS.toLocaleString('en-US')} claims to check`);
const history = Array.from({ length: N_HISTORY }, (_, i) => randomClaim(`H-${i}`, Math.floor(rand() * 365)));
const incoming = Array.from({ length: N_CLAIMS }, (_, i) => randomClaim(`N-${i}`, 300 + Math.floor(rand() * 65)));

const init: InMemoryFactsInit = {
  tables: loadSyntheticTables(),
  claims: history,
  // 98% of claim dates are backed by an anchored encounter.
  encounters: [...history, ...incoming]
    .filter(() => rand() < 0.98)
    .map((c) => ({ provider: c.provider.key, patient: c.patient.key, date: c.serviceRange.from, proof: encounterProof() })),
  licences: Array.from({ length: N_PROVIDERS }, (_, p) => ({
    provider: `Practitioner/${p}`,
    status:
      p % 97 === 0
        ? { status: 'suspended' as const, since: '2024-06-01', sourceBlock: 500 }
        : { status: 'active' as const, since: '2015-01-01', sourceBlock: 10 },
  })),
  exclusions: [{ npi: '1000000007', exclusion: { list: 'LEIE', since: '2023-01-01', type: '1128a1' } }],
  deaths: Array.from({ length: 200 }, (_, i) => ({ patient: `Patient/${i * 97}`, death: { date: '2024-10-01' } })),
  demographics: Array.from({ length: N_PATIENTS }, (_, i) => ({
    patient: `Patient/${i}`,
    demographics: { gender: i % 2 ? ('male' as const) : ('female' as const), birthDate: `${1940 + (i % 70)}-06-15` },
  })),
  inpatientStays: Array.from({ length: 500 }, (_, i) => ({
    patient: `Patient/${i * 31}`,
    stay: { id: `E-${i}`, facility: 'Organization/h', admit: '2024-11-01', discharge: '2024-11-09' },
  })),
  emProfiles: Array.from({ length: N_PROVIDERS }, (_, p) => ({
    provider: `Practitioner/${p}`,
    profile: {
      provider: { '99213': 40, '99214': 30, '99215': p % 50 === 0 ? 60 : 12 } satisfies EmCounts,
      peers: Array.from({ length: 30 }, (_, j): EmCounts => ({ '99213': 40, '99214': 30, '99215': 8 + (j % 9) })),
      period: { from: '2023-01-01', to: '2023-12-31' },
    },
  })),
};
progress('indexing facts');
const facts = new InMemoryClaimFacts(init);

// Lookups per claim, by kind (what a storage-backed ClaimFacts will be asked), and result sizes.
const calls = new Map<string, { n: number; rows: number }>();
const counting = new Proxy(facts, {
  get(target, key, receiver) {
    const v = Reflect.get(target, key, receiver) as unknown;
    if (typeof v !== 'function' || key === 'constructor') return v;
    return (...a: unknown[]) => {
      const out = (v as (...x: unknown[]) => unknown).apply(target, a);
      const c = calls.get(String(key)) ?? { n: 0, rows: 0 };
      c.n++;
      if (Array.isArray(out)) c.rows += out.length;
      calls.set(String(key), c);
      return out;
    };
  },
});
for (const c of incoming) await runRules(c, counting);
const perClaim = [...calls].map(([k, { n, rows }]) => `${k} ${(n / incoming.length).toFixed(2)}${rows ? ` (${(rows / n).toFixed(1)} claims each)` : ''}`);

const results: BenchResult[] = [];
let flags = 0;
let flagged = 0;
const flaggedRules = new Map<string, number>();
progress(`runRules, ${ALL_RULES.length} rules, sequential`);
results.push(
  await measure(
    `runRules (all ${ALL_RULES.length} rules), 1 in flight`,
    async (i) => {
      const run = await runRules(incoming[i % incoming.length]!, facts);
      if (i < incoming.length) {
        flags += run.flags.length;
        if (run.flags.length) flagged++;
        for (const f of run.flags) flaggedRules.set(f.rule, (flaggedRules.get(f.rule) ?? 0) + 1);
      }
    },
    { iterations: N_CLAIMS, warmup: 2_000, note: `history ${N_HISTORY.toLocaleString('en-US')} claims` },
  ),
);
progress('runRules, 32 in flight');
results.push(
  await measure(`runRules (all ${ALL_RULES.length} rules), 32 in flight`, (i) => runRules(incoming[i % incoming.length]!, facts), {
    iterations: N_CLAIMS,
    concurrency: 32,
    warmup: 2_000,
  }),
);

// Each rule alone, to see where the time goes.
for (const rule of ALL_RULES) {
  results.push(
    await measure(`  ${rule.id} alone`, (i) => runRules(incoming[i % incoming.length]!, facts, [rule]), {
      iterations: Math.min(N_CLAIMS, 10_000),
      warmup: 1_000,
    }),
  );
}

const med = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', 'hl7.fhir.r4.examples', 'Claim-MED-00050.json'), 'utf8')) as unknown;
results.push(await measure('normalizeClaim (HL7 Claim-MED-00050)', () => normalizeClaim(med), { iterations: 50_000, warmup: 5_000 }));

printTable(results);
const mem = process.memoryUsage();
console.log(
  `\n${flagged.toLocaleString('en-US')} of ${N_CLAIMS.toLocaleString('en-US')} claims flagged (${flags.toLocaleString('en-US')} flags): ${[...flaggedRules].map(([r, n]) => `${r} ${n}`).join(', ')}`,
);
console.log(`facts lookups per claim: ${perClaim.join(', ')}`);
console.log(
  `heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB; node ${process.version}; measured ${new Date().toISOString()} (performance.now ${performance.now().toFixed(0)} ms since start)`,
);
