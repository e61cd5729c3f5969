/**
 * Insurance claims on one real Anvil with two real nodes over HTTP, a clinic (provider) and an
 * insurer: the clinic submits FHIR Claims signed organization-to-organization with the inclusion
 * proofs of its anchored Encounters; the insurer checks them against the ledger, runs every rule and
 * decides on the ClaimRegistry (approve, pend, deny); the special-investigations queue with flags,
 * the provider's response, an audited override, appeal, payment and void; a licence suspended before
 * the date of service; the patient's view verified against the chain, and a dispute. Wrong parties are
 * refused by the contract on the real chain.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { Hex } from 'viem';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { claimRegistryAbi, credentialStatusAbi } from '../src/chain/generated/contracts.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { grantIdOf, granteeCommitment, scopeCommitment } from '../src/consent/commitments.ts';
import { consentDomain, purposeToChain, signGrant } from '../src/consent/typed-data.ts';
import { signOrgRequest } from '../src/http/org-request.ts';
import { patientLoginMessage } from '../src/identity/patient-challenges.ts';
import { claimHashOf, freshClaimId, freshSalt, patientCommitmentOf } from '../src/claims/commitment.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { copyFileSync } from 'node:fs';
import { freePort, licenseTestPractitioner, registerTestOrg, runCli, startTestChain, tempDir, testNodeConfig, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
interface Party {
  org: TestOrg;
  node: RunningNode;
  token: string;
}
let clinic: Party;
let insurer: Party;
const patient = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());
const today = new Date().toISOString().slice(0, 10);
let patientId: string;
let encounterId: string;
let consent: { grantId: Hex; salt: Hex; scope: { resourceTypes: string[] } };

async function call(url: string, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}
const ok = async (p: Party, method: string, path: string, body?: unknown) => {
  const r = await call(p.node.url, p.token, method, path, body);
  assert.ok(r.status < 300, `${method} ${path} → ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
};

async function party(slug: string, kind: 'clinic' | 'insurer'): Promise<Party> {
  const port = await freePort();
  const org = await registerTestOrg(chain, tmp.dir, slug, kind, `http://127.0.0.1:${port}`);
  const node = await startNode(testNodeConfig({ org: slug, home: tmp.dir, port, rpcUrl: chain.anvil.rpcUrl, logLevel: (process.env.TEST_LOG as never) ?? 'silent', indexerPollMs: 50, anchorBatchSize: 1 }));
  return { org, node, token: readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim() };
}

async function patientToken(p: Party, who: typeof patient): Promise<string> {
  const { challenge } = (await call(p.node.url, undefined, 'POST', '/api/auth/patient/challenge', { address: who.address })).body;
  const r = await call(p.node.url, undefined, 'POST', '/api/auth/patient/login', { address: who.address, challenge, signature: await who.signMessage({ message: patientLoginMessage(p.org.orgId, challenge) }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

const claim = (id: string, lines: { code: string; date?: string; encounter?: boolean; units?: number }[], extra: Record<string, unknown> = {}) => ({
  resourceType: 'Claim',
  id,
  status: 'active',
  type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
  use: 'claim',
  patient: { reference: `Patient/${patientId}` },
  created: today,
  provider: { reference: 'Organization/clinic' },
  priority: { coding: [{ code: 'normal' }] },
  insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-1' } }],
  item: lines.map((l, i) => ({
    sequence: i + 1,
    productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: l.code }] },
    servicedDate: l.date ?? today,
    quantity: { value: l.units ?? 1 },
    net: { value: 100, currency: 'USD' },
    ...(l.encounter === false ? {} : { encounter: [{ reference: `Encounter/${encounterId}` }] }),
  })),
  total: { value: 100 * lines.length, currency: 'USD' },
  ...extra,
});

const submit = (body: Record<string, unknown>) => call(clinic.node.url, clinic.token, 'POST', '/api/claims', { insurer: insurer.org.orgId, patient: patient.address, consent, ...body });
const ledgerState = async (id: Hex) => Number(((await chain.conn.client.readContract({ address: chain.deployment.contracts.ClaimRegistry.address, abi: claimRegistryAbi, functionName: 'claim', args: [id] })) as { state: number }).state);
const STATE = { submitted: 1, pended: 2, approved: 3, denied: 4, paid: 5, voided: 6, appealed: 7 };

before(async () => {
  chain = await startTestChain(tmp.dir);
  clinic = await party('clinic', 'clinic');
  insurer = await party('insurer', 'insurer');
  patientId = (await ok(clinic, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Claimant' }], birthDate: '1970-05-01', gender: 'female' })).id;
  // The patient's payment consent (HPAYMT) to the insurer: Encounters (and demographics, which come with any scope).
  const salt = `0x${'5a'.repeat(32)}` as Hex;
  const scope = { resourceTypes: ['Encounter'] };
  const now = BigInt(Math.floor(Date.now() / 1000));
  const grant = { patient: patient.address, grantee: granteeCommitment(salt, insurer.org.orgId), scopeHash: scopeCommitment(salt, scope), purpose: purposeToChain('HPAYMT'), start: now - 60n, expiry: now + 86_400n, nonce: 0n };
  const signature = await signGrant(patient, consentDomain(chain.conn.chain.id, chain.deployment.contracts.ConsentRegistry.address), grant);
  const relayed = await call(clinic.node.url, clinic.token, 'POST', '/api/consent/relay', {
    grant: { ...grant, start: grant.start.toString(), expiry: grant.expiry.toString(), nonce: '0' },
    signature,
    disclosure: { salt, grantee: { org: insurer.org.orgId }, scope },
  });
  assert.equal(relayed.status, 201, JSON.stringify(relayed.body));
  consent = { grantId: grantIdOf(patient.address, 0n), salt, scope };
  encounterId = (await ok(clinic, 'POST', '/fhir/Encounter', { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: `Patient/${patientId}` }, period: { start: `${today}T09:00:00Z` } })).id;
});
after(async () => {
  await clinic?.node.stop();
  await insurer?.node.stop();
  await chain?.stop();
  tmp.remove();
});

test('eligibility: the insurer answers a CoverageEligibilityRequest from the Coverage it holds', async () => {
  const member = (await ok(insurer, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Member' }] })).id;
  const cov = (await ok(insurer, 'POST', '/fhir/Coverage', { resourceType: 'Coverage', status: 'active', beneficiary: { reference: `Patient/${member}` }, payor: [{ display: 'Test insurer' }], period: { start: '2020-01-01' } })).id;
  const ask = (coverage: string) =>
    ok(clinic, 'POST', '/api/claims/eligibility', {
      insurer: insurer.org.orgId,
      request: { resourceType: 'CoverageEligibilityRequest', status: 'active', purpose: ['validation'], patient: { reference: `Patient/${patientId}` }, servicedDate: today, created: today, insurer: { display: 'insurer' }, insurance: [{ coverage: { reference: `Coverage/${coverage}` } }] },
    });
  const yes = await ask(cov);
  assert.equal(yes.resourceType, 'CoverageEligibilityResponse');
  assert.equal(yes.outcome, 'complete');
  assert.equal(yes.insurance[0].inforce, true);
  const no = await ask('not-a-coverage');
  assert.equal(no.outcome, 'error');
});

let clean: Hex;
let duplicate: Hex;

test('a clean claim with an anchored Encounter is approved on the ledger; the ClaimResponse and EOB say so', async () => {
  const r = await submit({ claim: claim('c-clean', [{ code: '99213' }]) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'approved', JSON.stringify(r.body.claimResponse));
  assert.equal(r.body.claimResponse.resourceType, 'ClaimResponse');
  assert.equal(r.body.claimResponse.outcome, 'complete');
  assert.match(r.body.released, /HPAYMT grant .*1 encounter proof/);
  clean = r.body.claimId;
  assert.equal(await ledgerState(clean), STATE.approved);
  const held = (await ok(insurer, 'GET', `/api/claims/${clean}`)).claim[0];
  assert.equal(held.role, 'insurer');
  assert.deepEqual(held.document.run.flags, [], 'no rule flagged the clean claim');
  assert.deepEqual(held.document.evidenceProblems, []);
  assert.equal(held.document.eob.resourceType, 'ExplanationOfBenefit');
});

test('without the patient\'s payment consent the insurer gets the claim only, so the encounter behind it is unproved and the claim pended', async () => {
  const r = await submit({ claim: claim('c-noconsent', [{ code: '99212' }]), consent: undefined });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.released, /the claim only \(no payment consent given\)/);
  assert.equal(r.body.state, 'pended');
  assert.match(JSON.stringify(r.body.claimResponse.processNote), /no-encounter-proof/);
  const held = (await ok(insurer, 'GET', `/api/claims/${r.body.claimId}`)).claim[0];
  assert.equal(held.document.patient.birthDate, undefined, 'no demographics without consent');
  const other = { ...consent, scope: { resourceTypes: ['Observation'] } };
  const wrongScope = await submit({ claim: claim('c-wrongscope', [{ code: '99212', date: '2025-03-02' }]), consent: other });
  assert.match(wrongScope.body.released, /no grant with this scope/);
});

test('a duplicate on a date without an anchored Encounter is pended with flags that name rule, evidence and score', async () => {
  const r = await submit({ claim: claim('c-dup', [{ code: '99213' }, { code: '99214', date: '2025-01-15', encounter: false }]) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'pended');
  duplicate = r.body.claimId;
  assert.equal(await ledgerState(duplicate), STATE.pended);
  const queue = (await ok(insurer, 'GET', '/api/claims/queue')).queue as any[];
  const entry = queue.find((q) => q.claimId === duplicate);
  assert.ok(entry, 'the pended claim is in the special-investigations queue');
  const rules = new Set(entry.flags.map((f: any) => f.rule));
  assert.ok(rules.has('no-encounter-proof'), `phantom billing flagged: ${[...rules]}`);
  assert.ok([...rules].some((x) => String(x).includes('duplicate')), `duplicate flagged: ${[...rules]}`);
  for (const f of entry.flags) {
    assert.ok(f.score > 0 && f.score <= 1 && f.explanation.length > 20 && f.evidence, `flag ${f.rule} carries score, explanation and evidence`);
  }
  assert.match(JSON.stringify(r.body.claimResponse.processNote), /no-encounter-proof/);
});

test('wrong parties are refused by the contract on the real chain', async () => {
  const send = async (who: TestOrg, functionName: 'approve' | 'voidClaim', id: Hex) =>
    new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), chain.conn, who.keys.account).sendContract({ address: chain.deployment.contracts.ClaimRegistry.address, abi: claimRegistryAbi, functionName, args: [id, `0x${'ab'.repeat(32)}`] });
  await assert.rejects(send(clinic.org, 'approve', duplicate), /WrongParty/, 'a provider cannot approve its own claim');
  await assert.rejects(send(insurer.org, 'voidClaim', duplicate), /WrongParty/, 'an insurer cannot void a provider claim');
  assert.equal(await ledgerState(duplicate), STATE.pended);
  // Through the API: the insurer cannot appeal (it holds no provider copy) and the clinic has nothing to review.
  assert.equal((await call(insurer.node.url, insurer.token, 'POST', `/api/claims/${duplicate}/appeal`, { text: 'not mine to appeal' })).status, 404);
  assert.equal((await call(clinic.node.url, clinic.token, 'POST', `/api/claims/${duplicate}/review`, { decision: 'approved', reason: 'self-approval' })).status, 404);
});

test('provider response, audited override (deny), appeal, approval and payment', async () => {
  await ok(clinic, 'POST', `/api/claims/${duplicate}/respond`, { text: 'Line 2 was billed in error.' });
  let entry = ((await ok(insurer, 'GET', '/api/claims/queue')).queue as any[]).find((q) => q.claimId === duplicate);
  assert.equal(entry.messages[0].text, 'Line 2 was billed in error.');
  assert.equal((await ok(insurer, 'POST', `/api/claims/${duplicate}/review`, { decision: 'denied', reason: 'duplicate of an approved claim' })).state, 'denied');
  assert.equal(await ledgerState(duplicate), STATE.denied);
  assert.ok(!((await ok(insurer, 'GET', '/api/claims/queue')).queue as any[]).some((q) => q.claimId === duplicate), 'a decided claim leaves the queue');
  const audit = await ok(insurer, 'GET', '/api/audit/entries?limit=1000');
  assert.match(JSON.stringify(audit), /duplicate of an approved claim/, 'the override is audited with its reason');

  await ok(clinic, 'POST', `/api/claims/${duplicate}/appeal`, { text: 'Line 1 was a separate visit.' });
  assert.equal(await ledgerState(duplicate), STATE.appealed);
  entry = ((await ok(insurer, 'GET', '/api/claims/queue')).queue as any[]).find((q) => q.claimId === duplicate);
  assert.ok(entry, 'the appeal is back in the queue');
  await ok(insurer, 'POST', `/api/claims/${duplicate}/review`, { decision: 'approved', reason: 'appeal upheld after records review' });
  await ok(insurer, 'POST', `/api/claims/${duplicate}/pay`);
  assert.equal(await ledgerState(duplicate), STATE.paid);
  assert.equal((await call(insurer.node.url, insurer.token, 'POST', `/api/claims/${duplicate}/pay`)).status, 422, 'a paid claim is not paid twice');
});

test('a pended claim can be voided by its provider', async () => {
  const r = await submit({ claim: claim('c-void', [{ code: '99212', date: '2025-02-01', encounter: false }]) });
  assert.equal(r.body.state, 'pended');
  await ok(clinic, 'POST', `/api/claims/${r.body.claimId}/void`, { text: 'sent to the wrong payer' });
  assert.equal(await ledgerState(r.body.claimId), STATE.voided);
});

test('a practitioner whose licence was suspended before the date of service is flagged from the ledger history', async () => {
  const practitioner = 'Practitioner/dr-suspended';
  const { credentialId, boardSender } = await licenseTestPractitioner(chain, tmp.dir, { url: clinic.node.url, token: clinic.token }, practitioner);
  await boardSender.sendContract({ address: chain.deployment.contracts.CredentialStatus.address, abi: credentialStatusAbi, functionName: 'suspend', args: [credentialId] });
  const c = claim('c-licence', [{ code: '99211' }], { careTeam: [{ sequence: 1, provider: { reference: practitioner } }] });
  (c.item[0] as Record<string, unknown>).careTeamSequence = [1];
  const r = await submit({ claim: c, credentials: [{ provider: practitioner, credentialId }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.notEqual(r.body.state, 'approved');
  assert.match(JSON.stringify(r.body.claimResponse.processNote), /provider-licence.*suspended/);
});

test("the patient sees every claim in their name, verified against the chain, and disputes one; another patient sees none", async () => {
  const token = await patientToken(insurer, patient);
  const mine = (await call(insurer.node.url, token, 'GET', '/api/patient/claims')).body.claims as any[];
  assert.ok(mine.length >= 6, `claims listed: ${mine.length}`);
  for (const c of mine) assert.equal(c.verified, true, `${c.claimId}: ${c.problems}`);
  const dup = mine.find((c) => c.claimId === duplicate);
  assert.equal(dup.state, 'paid');
  assert.ok(dup.flags.some((f: any) => f.rule === 'no-encounter-proof'));
  assert.equal(dup.explanationOfBenefit.resourceType, 'ExplanationOfBenefit');

  const d = await call(insurer.node.url, token, 'POST', `/api/patient/claims/${clean}/dispute`, { reason: 'I never had this visit' });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  const after = (await call(insurer.node.url, token, 'GET', '/api/patient/claims')).body.claims as any[];
  assert.equal(after.find((c) => c.claimId === clean).disputed, true);
  assert.ok(((await ok(insurer, 'GET', '/api/claims/queue')).queue as any[]).some((q) => q.claimId === clean && q.disputes.length === 1), 'the dispute reopens the claim for review');

  const other = await patientToken(insurer, stranger);
  assert.deepEqual((await call(insurer.node.url, other, 'GET', '/api/patient/claims')).body.claims, []);
  assert.equal((await call(insurer.node.url, other, 'POST', `/api/patient/claims/${clean}/dispute`, { reason: 'not even mine' })).status, 404);
  assert.equal((await call(insurer.node.url, token, 'GET', '/api/claims/queue')).status, 403, 'a patient does not reach the queue');
});

test('on the nodes: an excluded provider (LEIE at the insurer), a service after death, an unbundled pair, units over the MUE and an age conflict, each flagged with its evidence', async () => {
  const leie = ['LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE', 'DOE,JANE,,,,,,1234567893,,,,,,1128a1,20200101,00000000,,'].join('\n');
  const imported = await fetch(`${insurer.node.url}/api/exclusions/import`, { method: 'POST', headers: { authorization: `Bearer ${insurer.token}`, 'content-type': 'text/csv' }, body: leie });
  assert.equal(imported.status < 300, true, await imported.text());
  const gone = (await ok(clinic, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Gone' }], birthDate: '1970-01-01', gender: 'male', deceasedDateTime: '2024-01-01' })).id;
  const c = claim('c-rules', [{ code: '20610' }, { code: '20605' }, { code: '11042', units: 3 }, { code: '99381' }], {
    patient: { reference: `Patient/${gone}` },
    provider: { reference: 'Organization/clinic', identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' } },
  });
  const r = await submit({ claim: c });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'denied', 'a critical flag denies');
  const held = (await ok(insurer, 'GET', `/api/claims/${r.body.claimId}`)).claim[0].document;
  const byRule = new Map<string, any>(held.run.flags.map((f: any) => [f.rule, f]));
  for (const rule of ['provider-excluded', 'service-after-death', 'ncci-ptp', 'mue-units', 'age-sex-conflict']) assert.ok(byRule.has(rule), `${rule} flagged; got ${[...byRule.keys()]}`);
  assert.match(byRule.get('provider-excluded').explanation, /1234567893/);
  assert.match(byRule.get('service-after-death').explanation, /2024-01-01/);
  assert.ok(byRule.get('ncci-ptp').evidence.tableRows?.length, 'the PTP flag cites the table row');
  assert.equal(await ledgerState(r.body.claimId), STATE.denied);
});

test('the insurer refuses a claim that differs from the ledger, one for another patient, an unsigned or replayed request, and one not on the ledger', async () => {
  const path = '/api/claims/peer/submit';
  const c = claim('c-tamper', [{ code: '99213', date: '2025-04-01', encounter: false }]);
  const salt = freshSalt();
  const claimId = freshClaimId();
  // A provider with no node of its own (its key is not shared with a running node's journal).
  const lab = await registerTestOrg(chain, tmp.dir, 'claims-lab', 'lab');
  const sender = new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), chain.conn, lab.keys.account);
  const { receipt } = await sender.sendContract({ address: chain.deployment.contracts.ClaimRegistry.address, abi: claimRegistryAbi, functionName: 'submit', args: [claimId, insurer.org.orgId, claimHashOf(c), patientCommitmentOf(patient.address, salt)] });
  const send = async (payload: unknown, headers?: Record<string, string>) => {
    const body = JSON.stringify(payload);
    const h = headers ?? (await signOrgRequest(lab.keys.account, lab.orgId, { protocol: 'claims-submit', audience: insurer.org.orgId, method: 'POST', path, body }));
    const res = await fetch(`${insurer.node.url}${path}`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body });
    return { status: res.status, text: await res.text(), headers: h };
  };
  const base = { claimId, block: Number(receipt.blockNumber), patient: { address: patient.address, salt }, encounters: [], credentials: [] };
  const tampered = await send({ ...base, claim: { ...c, total: { value: 9999, currency: 'USD' } } });
  assert.equal(tampered.status, 400, tampered.text);
  assert.match(tampered.text, /does not match the hash on the ledger/);
  const otherPatient = await send({ ...base, claim: c, patient: { address: stranger.address, salt } });
  assert.match(otherPatient.text, /do not open the commitment/);
  assert.equal((await send({ ...base, claim: c }, {})).status, 401, 'unsigned');
  const first = await send({ ...base, claimId: freshClaimId(), claim: c });
  assert.match(first.text, /not on the ledger/);
  const replay = await send({ ...base, claimId: JSON.parse(JSON.stringify(base.claimId)), claim: c }, first.headers);
  assert.equal(replay.status, 401, 'a signature for another body or a used nonce is refused');
  const honest = await send({ ...base, claim: c });
  assert.equal(honest.status, 200, honest.text);
  assert.equal(await ledgerState(claimId), STATE.pended);
});

test("HL7's example Claims are accepted, adjudicated and answered", async () => {
  const dir = join(import.meta.dirname, '../node_modules/hl7.fhir.r4.examples');
  for (const id of ['100150', '660150', '960150']) {
    const example = JSON.parse(readFileSync(join(dir, `Claim-${id}.json`), 'utf8'));
    const r = await submit({ claim: example, consent: undefined });
    assert.equal(r.status, 201, `Claim-${id}: ${JSON.stringify(r.body)}`);
    assert.ok(['approved', 'pended', 'denied'].includes(r.body.state), `Claim-${id}: ${r.body.state}`);
    assert.equal(r.body.claimResponse.resourceType, 'ClaimResponse');
  }
});

test('the ledger holds no claim content: only hashes, commitments and states', async () => {
  const logs = await chain.conn.client.getLogs({ address: chain.deployment.contracts.ClaimRegistry.address, fromBlock: 0n });
  const raw = JSON.stringify(logs, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).toLowerCase();
  for (const secret of [patient.address.slice(2).toLowerCase(), '99213', 'claimant', patientId.toLowerCase()]) assert.ok(!raw.includes(secret), `the ledger leaks ${secret}`);
});

test('CLI: NCCI PTP and MUE tables imported in the CMS layouts; the queue printed with its flags', async () => {
  const data = join(import.meta.dirname, '../src/claims/tables/data');
  const ptp = join(tmp.dir, 'ccipra-v999r0-f1.txt');
  copyFileSync(join(data, 'ptp-practitioner.synthetic.txt'), ptp);
  const node = ['--node', insurer.node.url, '--token', insurer.token];
  const a = await runCli(['claims', 'import-ncci', ptp, ...node]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /imported \d+ ncci-ptp edit\(s\) for the practitioner setting/);
  const b = await runCli(['claims', 'import-mue', join(data, 'mue-practitioner.synthetic.csv'), ...node]);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /imported \d+ mue edit\(s\)/);
  const bad = await runCli(['claims', 'import-ncci', join(data, 'mue-practitioner.synthetic.csv'), ...node]);
  assert.notEqual(bad.code, 0, 'a file not named as CMS names PTP files is refused');
  const q = await runCli(['claims', 'queue', ...node]);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /DISPUTED by the patient/);
});
