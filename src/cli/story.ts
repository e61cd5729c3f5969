/**
 * The demo story (`npm start` seeds it once; `carechain demo` re-tells it step by step): three
 * Synthea patients, two at St Mary's Hospital and one at Riverside Family Clinic; licensed demo clinicians at St Mary's and Riverside (each
 * licence issued by the State Medical Board, registered on the ledger with its holder, and presented
 * with the clinician's signed affiliation); a patient who links their own key with the activation code
 * sent to their phone and grants Riverside access; Riverside's clinician fetching the record across
 * organizations, verified against the ledger; a break-glass on another patient, flagged on chain; a
 * claim to the insurer with the patient's payment consent; and the DSCSA supply-chain scenario.
 * Everything goes through the nodes' own APIs, as each organization's operator or user would call them.
 * Idempotent: what was done is remembered in `<home>/demo/story.json`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hex } from 'viem';
import { orgIdOf } from '../chain/ids.ts';
import { affiliationDomain, signAffiliation } from '../credentials/affiliation.ts';
import { readOutbox } from '../identity/notifier.ts';
import { UserStore } from '../identity/users.ts';
import { loadNodeConfig } from '../config/node-config.ts';
import { openNodeStorage } from '../node/services.ts';
import { CarechainError } from '../shared/errors.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';
import { consentGrant, loadPatientKey, patientKeygen, patientLink } from './consent.ts';
import { importFiles } from './import.ts';
import { runSupplyScenario } from '../network/supply-scenario.ts';
import { DEMO_COMPANY_PREFIX } from '../network/demo.ts';

const DEMO_PATIENTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'demo', 'synthea');
export const DEMO_PASSWORD = 'carechain demo password';

export interface StoryNode {
  slug: string;
  url: string;
  /** The organization's kind (hospital, insurer, manufacturer, …): the supply scenario finds its parties by it. */
  kind?: string;
}

export interface StoryResult {
  logins: { org: string; url: string; username: string; role: string }[];
  patient: { id: string; name: string; addressAtStMary: string; keyFile: string };
  grantId: Hex;
  fetched: number;
  breakGlass: { accessId: string; patient: string } | null;
  claim?: { claimId: string; state: string };
  supply?: { step: string; outcome: string }[];
}

interface Ctx {
  home: string;
  nodes: Map<string, StoryNode & { token: string }>;
  fetch: FetchLike;
  say: (m: string) => void;
}

async function api(ctx: Ctx, org: string, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const n = ctx.nodes.get(org);
  if (!n) throw new CarechainError(`the demo story needs the organization ${org}`);
  const res = await ctx.fetch(`${n.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token ?? n.token}`, ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as any;
  if (res.status >= 300) throw new CarechainError(`${org} ${method} ${path}: HTTP ${res.status}: ${json?.error?.message ?? json?.issue?.[0]?.diagnostics ?? ''}`);
  return json;
}

/** Demo users at an organization (idempotent): written to its database like `carechain user add`. */
async function addUsers(ctx: Ctx, org: string, users: { username: string; role: string; practitioner?: string }[]): Promise<void> {
  const storage = await openNodeStorage(loadNodeConfig({ org, home: ctx.home }));
  try {
    const store = new UserStore(storage);
    for (const u of users) {
      await store.add({ username: u.username, password: DEMO_PASSWORD, roles: [u.role] as never, practitioner: u.practitioner }).catch((err: Error) => {
        if (!/exists/i.test(err.message)) throw err;
      });
    }
  } finally {
    await storage.close();
  }
}

/** The board issues a licence to `practitioner` (holder key in the demo folder), presented at `org` with the holder's affiliation. */
async function license(ctx: Ctx, org: string, practitioner: string, name: string): Promise<void> {
  const keyFile = join(ctx.home, 'demo', `${practitioner.split('/')[1]}.key`);
  if (!existsSync(keyFile)) patientKeygen(keyFile);
  const holder = loadPatientKey(keyFile);
  const now = Date.now();
  const issued = await api(ctx, 'state-board', 'POST', '/api/credentials/issue', {
    type: 'medical-licence',
    jurisdiction: 'US-CA',
    subject: { practitioner, name, holder: holder.address },
    number: `CA-${Math.floor(now / 1000) % 1_000_000}`,
    specialty: 'Internal Medicine',
    validFrom: new Date(now - 86_400_000).toISOString(),
    validUntil: new Date(now + 365 * 86_400_000).toISOString(),
  });
  // The presenting node must have indexed the licence's registration first.
  for (let i = 0; ; i++) {
    const v = await api(ctx, org, 'POST', '/api/credentials/verify', { credential: issued.credential });
    if (v.valid) break;
    if (i > 50) throw new CarechainError(`the demo licence of ${practitioner} does not verify at ${org}: ${v.problems.join('; ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const terms = await api(ctx, org, 'GET', `/api/credentials/affiliation-terms/${holder.address}`);
  const until = BigInt(Math.floor(now / 1000) + 365 * 86400);
  const signature = await signAffiliation(holder, { ...(terms.domain as ReturnType<typeof affiliationDomain>), chainId: Number(terms.domain.chainId) }, { organization: terms.organization, credentialId: issued.credentialId, until, nonce: BigInt(terms.nonce) });
  await api(ctx, org, 'POST', '/api/credentials/present', { credential: issued.credential, affiliation: { until: String(until), nonce: terms.nonce, signature } });
}

async function login(ctx: Ctx, org: string, username: string): Promise<string> {
  const n = ctx.nodes.get(org)!;
  const res = await ctx.fetch(`${n.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  const json = (await res.json()) as { access_token?: string; error?: { message: string } };
  if (!json.access_token) throw new CarechainError(`demo login ${username}@${org} failed: ${json.error?.message ?? res.status}`);
  return json.access_token;
}

const activationCode = (home: string, org: string, patientId: string): string => {
  const m = readOutbox(join(home, 'orgs', org, 'outbox')).filter((x) => x.data?.patientId === patientId && x.data?.code).at(-1);
  if (!m) throw new CarechainError(`no activation code for Patient/${patientId} in ${org}'s outbox`);
  return m.data!.code!;
};

/** Runs the story (or, when it ran before in this home, returns what it did). */
export async function runStory(opts: { home: string; nodes: StoryNode[]; fetch: FetchLike; say?: (m: string) => void; again?: boolean }): Promise<StoryResult> {
  const file = join(opts.home, 'demo', 'story.json');
  if (existsSync(file) && !opts.again) return JSON.parse(readFileSync(file, 'utf8')) as StoryResult;
  mkdirSync(join(opts.home, 'demo'), { recursive: true, mode: 0o700 });
  const ctx: Ctx = {
    home: opts.home,
    fetch: opts.fetch,
    say: opts.say ?? (() => {}),
    nodes: new Map(opts.nodes.map((n) => [n.slug, { ...n, token: readFileSync(join(opts.home, 'orgs', n.slug, 'admin-token'), 'utf8').trim() }])),
  };
  const steps = 10;
  let step = 0;
  const say = (m: string) => ctx.say(`[${++step}/${steps}] ${m}`);

  say("demo users at St Mary's and Riverside (password: " + DEMO_PASSWORD + ')');
  await addUsers(ctx, 'st-mary', [
    { username: 'front.desk', role: 'staff' },
    { username: 'privacy', role: 'privacy-officer' },
    { username: 'dr.house', role: 'clinician', practitioner: 'Practitioner/house' },
  ]);
  await addUsers(ctx, 'riverside', [
    { username: 'dr.lee', role: 'clinician', practitioner: 'Practitioner/lee' },
    { username: 'privacy', role: 'privacy-officer' },
  ]);

  say('the State Medical Board licenses Dr House and Dr Lee; each signs an affiliation with their organization (on the ledger)');
  await license(ctx, 'st-mary', 'Practitioner/house', 'Gregory House');
  await license(ctx, 'riverside', 'Practitioner/lee', 'Sandra Lee');

  say("three Synthea patients imported, two at St Mary's and one at Riverside (encrypted, labelled, anchored)");
  const st = ctx.nodes.get('st-mary')!;
  const rv = ctx.nodes.get('riverside')!;
  for (const [node, file] of [[st, 'Denny_Bins_bc0fbd67-bfe3-46c8-8ce9-ef20b0705b46.json'], [st, 'Malcolm_Dach_281f4a03-57e9-4b22-a322-68890ff22172.json'], [rv, 'Clarence_Mills_0753ad6c-5935-4faa-9cfe-b7269e963d77.json']] as const) {
    const summary = await importFiles({ path: join(DEMO_PATIENTS, file), target: { url: node.url, token: node.token, fetch: ctx.fetch }, stateFile: join(opts.home, 'demo', `import-${node.slug}-${file.split('_')[1]}.json`), quiet: true });
    if (summary.failed.length) throw new CarechainError(`demo import failed: ${summary.failed.map((f) => `${f.file}: ${f.problem}`).join('; ')}`);
  }
  const find = async (family: string) => {
    const b = await api(ctx, 'st-mary', 'GET', `/fhir/Patient?family=${family}`);
    const p = b.entry?.[0]?.resource;
    if (!p) throw new CarechainError(`demo patient ${family} not found after import`);
    return p as { id: string; name: { given?: string[]; family: string }[] };
  };
  const denny = await find('Bins');
  const malcolm = await find('Dach');
  const dennyName = `${denny.name[0]?.given?.[0] ?? ''} ${denny.name[0]?.family ?? ''}`.trim();

  say(`${dennyName} links their own key at St Mary's with the activation code sent to their phone`);
  const keyFile = join(opts.home, 'demo', 'patient.key');
  if (!existsSync(keyFile)) patientKeygen(keyFile);
  const master = loadPatientKey(keyFile);
  await api(ctx, 'st-mary', 'POST', `/api/patients/${denny.id}/activation`, {});
  const target = { url: st.url, token: st.token, fetch: ctx.fetch };
  const linked = await patientLink({ url: st.url, token: '', fetch: ctx.fetch }, master, { patientId: denny.id, code: activationCode(opts.home, 'st-mary', denny.id) }).catch(async (err: Error) => {
    // Linked on an earlier run: the address is the same (derived from the same key).
    if (!/already/i.test(err.message)) throw err;
    return { address: (await api(ctx, 'st-mary', 'GET', `/api/patients/${denny.id}/identity`)).address as string };
  });

  say(`${dennyName} grants Riverside Family Clinic their Observations and Conditions for treatment (salted commitments on the ledger; Riverside is told by a signed notice)`);
  const grant = await consentGrant(target, master, { grantee: 'riverside', scope: { resourceTypes: ['Observation', 'Condition'] }, purpose: 'TREAT', days: 30 });

  say("Dr Lee at Riverside fetches the record from St Mary's, each resource verified against the ledger");
  const lee = await login(ctx, 'riverside', 'dr.lee');
  let fetched = 0;
  for (let i = 0; i < 50 && fetched === 0; i++) {
    const r = await api(ctx, 'riverside', 'POST', '/api/exchange/fetch', { patient: linked.address, purpose: 'TREAT', scope: { resourceTypes: ['Observation', 'Condition'] } }, lee);
    fetched = r.entry.length;
    if (!fetched) await new Promise((res) => setTimeout(res, 500)); // the records are anchored in batches
  }

  say(`Dr Lee breaks the glass for another St Mary's patient, ${malcolm.name[0]?.family}, in an emergency: flagged on the ledger, queued for both privacy officers`);
  await api(ctx, 'st-mary', 'POST', `/api/patients/${malcolm.id}/activation`, {});
  const custody = await ctx.fetch(`${st.url}/api/patient/custody`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patientId: malcolm.id, code: activationCode(opts.home, 'st-mary', malcolm.id), passphrase: DEMO_PASSWORD }) });
  const custodyJson = (await custody.json()) as { address?: string };
  const malcolmAddress = custodyJson.address ?? ((await api(ctx, 'st-mary', 'GET', `/api/patients/${malcolm.id}/identity`)).address as string);
  // Riverside finds St Mary's through the record locator once its indexer has seen the registration.
  for (let i = 0; i < 100; i++) {
    const located = await api(ctx, 'riverside', 'GET', `/api/locator/${malcolmAddress}`, undefined, lee);
    if ((located.custodians as unknown[]).length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const bg = await api(ctx, 'riverside', 'POST', '/api/exchange/fetch', { patient: malcolmAddress, purpose: 'ETREAT', emergencyReason: 'unconscious on arrival, allergies unknown' }, lee);
  const access = (bg.custodians as { breakGlass?: { accessId: string } }[]).find((c) => c.breakGlass)?.breakGlass;
  if (!access) say(`  (the break-glass did not go through: ${((bg.problems as string[] | undefined) ?? []).join('; ') || 'no custodian answered'})`);

  say(`St Mary's bills Acme Health Insurance for ${dennyName}'s visit; ${dennyName}'s payment consent lets the insurer check the Encounter against St Mary's anchored log`);
  const payment = await consentGrant(target, master, { grantee: 'acme-health', scope: { resourceTypes: ['Encounter'] }, purpose: 'HPAYMT', days: 30 });
  const encounter = (await api(ctx, 'st-mary', 'GET', `/fhir/Encounter?patient=${denny.id}&_count=1`)).entry?.[0]?.resource as { id: string; period?: { start?: string } } | undefined;
  let claim: StoryResult['claim'];
  if (encounter) {
    const day = (encounter.period?.start ?? new Date().toISOString()).slice(0, 10);
    const submitted = await api(ctx, 'st-mary', 'POST', '/api/claims', {
      insurer: orgIdOf('acme-health'),
      patient: linked.address,
      consent: { grantId: payment.grantId, salt: payment.salt, scope: payment.scope },
      claim: {
        resourceType: 'Claim', id: `demo-${Date.now().toString(36)}`, status: 'active', use: 'claim', created: new Date().toISOString().slice(0, 10),
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
        patient: { reference: `Patient/${denny.id}` }, provider: { reference: 'Organization/st-mary' }, priority: { coding: [{ code: 'normal' }] },
        insurance: [{ sequence: 1, focal: true, coverage: { display: 'Acme Health demo plan' } }],
        item: [{ sequence: 1, productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213' }] }, servicedDate: day, quantity: { value: 1 }, net: { value: 120, currency: 'USD' }, encounter: [{ reference: `Encounter/${encounter.id}` }] }],
        total: { value: 120, currency: 'USD' },
      },
    });
    claim = { claimId: submitted.claimId as string, state: submitted.state as string };
    ctx.say(`  claim ${String(submitted.claimId).slice(0, 10)}… for CPT 99213 on ${day}: ${submitted.state} on the ledger (${(submitted.released as string | undefined) ?? 'claim only'})`);
  } else {
    ctx.say(`  (no Encounter for ${dennyName} at St Mary's: no claim)`);
  }

  say('the supply chain (DSCSA): a drug lot from Acme Pharmaceuticals through Valley Wholesale to Corner Pharmacy; a counterfeit, a diversion and a recall caught by verification');
  const parties = [...ctx.nodes.values()].filter((n) => n.kind).map((n) => ({ slug: n.slug, kind: n.kind!, url: n.url }));
  const supply = await runSupplyScenario({ home: opts.home, nodes: parties, prefix: DEMO_COMPANY_PREFIX, fetch: ctx.fetch, say: (m) => ctx.say(`  ${m}`) }).catch((err: Error) => {
    ctx.say(`  (the supply scenario stopped: ${err.message})`);
    return undefined;
  });

  const result: StoryResult = {
    logins: [
      { org: 'st-mary', url: st.url, username: 'dr.house', role: 'clinician' },
      { org: 'st-mary', url: st.url, username: 'front.desk', role: 'staff' },
      { org: 'st-mary', url: st.url, username: 'privacy', role: 'privacy-officer' },
      { org: 'riverside', url: ctx.nodes.get('riverside')!.url, username: 'dr.lee', role: 'clinician' },
      { org: 'riverside', url: ctx.nodes.get('riverside')!.url, username: 'privacy', role: 'privacy-officer' },
    ],
    patient: { id: denny.id, name: dennyName, addressAtStMary: linked.address, keyFile },
    grantId: grant.grantId,
    fetched,
    breakGlass: access ? { accessId: access.accessId, patient: malcolm.id } : null,
    ...(claim ? { claim } : {}),
    ...(supply ? { supply } : {}),
  };
  say(`done: ${fetched} resources fetched across organizations${access ? `, break-glass ${access.accessId.slice(0, 10)}…` : ''}${claim ? `, claim ${claim.state}` : ''}${supply ? `, ${supply.length} supply steps` : ''}`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n', { mode: 0o600 });
  return result;
}

/** What to print after the story: the logins and the next three commands. */
export function storyNextSteps(r: StoryResult, home: string, cacert: string): string[] {
  return [
    `Demo logins (password "${DEMO_PASSWORD}"):`,
    ...r.logins.map((l) => `  ${l.username.padEnd(11)} ${l.role.padEnd(16)} ${l.org.padEnd(10)} ${l.url}`),
    `Demo patient: ${r.patient.name}, Patient/${r.patient.id} at st-mary, key ${r.patient.keyFile}`,
    '',
    'Next, try:',
    `  npx carechain exchange fetch --node ${r.logins[3]!.url} --org riverside --home ${home} --patient ${r.patient.addressAtStMary} --types Observation`,
    `  npx carechain audit mine --node ${r.logins[0]!.url} --patient-key ${r.patient.keyFile} --home ${home}`,
    `  curl ${cacert}-H "authorization: Bearer $(cat ${join(home, 'orgs', 'st-mary', 'admin-token')})" ${r.logins[0]!.url}/api/break-glass`,
  ];
}
