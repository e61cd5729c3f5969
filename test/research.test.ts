/**
 * Clinical research on the real chain and a node over HTTP (issue 16): registration before enrolment,
 * amendments (minor, material, and a scope widening that forces re-consent), enrolment only under a
 * research consent naming the study and version (custodial and self-signed), re-consent, withdrawal
 * (staff and the patient's own view), capture in anchored batches with the monitor's report (late and
 * altered entries), each kind of outcome switch, the Safe Harbor export of Synthea patients (all 18
 * identifier classes exercised and gone, only consenting subjects, stable pseudonyms, manifest on the
 * ledger, a paper's dataset verified) with a re-identification attempt, and a site on another node
 * importing a sponsor's study.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { masterAccount, masterKeyOf, patientLink } from '../src/cli/consent.ts';
import { granteeCommitment, practitionerGrantee, newSalt, scopeCommitment } from '../src/consent/commitments.ts';
import { consentDomain, signGrant } from '../src/consent/typed-data.ts';
import { custodianAccount } from '../src/crypto/patient-keys.ts';
import { patientLoginMessage } from '../src/identity/patient-challenges.ts';
import type { RunningNode } from '../src/node/start.ts';
import { leafHash } from '../src/merkle/hasher.ts';
import { verifyInclusion } from '../src/merkle/verify.ts';
import { reidentificationAttempt } from '../src/research/deid/reidentification.ts';
import type { FhirResource } from '../src/research/deid/deidentify.ts';
import { registerTestOrg, runCli, startTestNode, tempDir, testNodeConfig, type TestOrg } from './helpers/env.ts';
import { startNode } from '../src/node/start.ts';
import { activationCodeFor, custodyGrant, custodyPatient } from './helpers/patients.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let admin: string;

async function call(method: string, path: string, body?: unknown, token: string | undefined = admin): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}
const ok = (r: { status: number; body: any }, status = 201) => {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

const synthea = new URL('./fixtures/synthea/', import.meta.url);
const bundles = readdirSync(synthea).filter((f) => f.endsWith('.json')).sort().slice(0, 3).map((f) => JSON.parse(readFileSync(new URL(f, synthea), 'utf8')) as { entry: { resource: FhirResource }[] });
const rawPatients: FhirResource[] = [];

/** A Synthea patient stored here (with every kind of contact and identifier added), and a few of their Observations. */
async function storeSyntheaPatient(i: number, extra: Partial<FhirResource>): Promise<{ id: string; observations: FhirResource[]; raw: FhirResource }> {
  const { id: _id, ...patient } = bundles[i]!.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;
  const raw = { ...patient, ...extra } as FhirResource;
  const id = ok(await call('POST', '/fhir/Patient', raw)).id as string;
  rawPatients.push({ ...raw, id });
  const observations = bundles[i]!.entry
    .map((e) => e.resource)
    .filter((r) => r.resourceType === 'Observation' && typeof r.effectiveDateTime === 'string' && r.valueQuantity)
    .slice(0, 3)
    .map(({ id: _oid, encounter: _enc, ...o }) => ({ ...o, subject: { reference: `Patient/${id}` } }) as FhirResource);
  return { id, observations, raw };
}

const OUTCOMES = [
  { id: 'P1', name: 'Change in HbA1c', measure: 'HbA1c (%), mean change from baseline', timeFrame: '12 weeks', kind: 'primary' },
  { id: 'P2', name: 'Severe hypoglycaemia events', measure: 'number of events', timeFrame: '12 weeks', kind: 'primary' },
  { id: 'S1', name: 'Body weight', measure: 'kg, mean change', timeFrame: '12 weeks', kind: 'secondary' },
  { id: 'S2', name: 'Fasting plasma glucose', measure: 'mmol/L', timeFrame: '12 weeks', kind: 'secondary' },
  { id: 'S3', name: 'Quality of life', measure: 'SF-36 total score', timeFrame: '12 weeks', kind: 'secondary' },
];
const SCOPE = { resourceTypes: ['Observation'] };
const study = { resourceType: 'ResearchStudy', status: 'active', title: 'Glucose control in type 2 diabetes' };

let studyId: Hex;
let researchStudyId: string;
let alice: { id: string; observations: FhirResource[]; raw: FhirResource }; // custodial key, 90+
let bob: { id: string; observations: FhirResource[]; raw: FhirResource }; // custodial key
let carol: { id: string; observations: FhirResource[]; raw: FhirResource }; // her own key, logs in
let carolToken: string;
let carolKey: ReturnType<typeof custodianAccount>;
let aliceV1Grant: Hex;

before(async () => {
  ({ chain, org, node, token: admin } = await startTestNode(tmp.dir, 'trial-hospital'));
  alice = await storeSyntheaPatient(0, {
    birthDate: '1930-02-03',
    address: [{ line: ['12 Elm St'], city: 'Berlin', state: 'NH', postalCode: '03601', country: 'US' }],
    telecom: [
      { system: 'sms', value: '+1 555 0101' },
      { system: 'fax', value: '+1 555 0199' },
      { system: 'email', value: 'alice@example.org' },
      { system: 'url', value: 'https://alice.example.org' },
    ],
    photo: [{ contentType: 'image/jpeg', data: 'iVBORw0KGgo=' }],
  });
  // A coded text that names the uploading device's IP address (kept coded texts are checked, class O).
  const o1 = alice.observations[1]!;
  alice.observations[1] = { ...o1, code: { ...(o1.code as object), text: 'glucose uploaded from 192.168.10.23' } };
  // Identifiers of the classes Synthea does not give a Patient: health plan, account, vehicle, biometric, device.
  const v2 = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code }] });
  const extraIds = [
    { type: v2('MB'), value: 'MEMBER-77001' },
    { type: v2('AN'), value: 'ACCT-88002' },
    { type: { text: 'Vehicle licence plate' }, value: 'NH-PLATE-9' },
    { type: { text: 'Voice print id' }, value: 'VOICE-55003' },
    { type: v2('UDI'), value: 'UDI-(01)00844588003288' },
  ];
  const stored = ok(await call('GET', `/fhir/Patient/${alice.id}`), 200);
  ok(await call('PUT', `/fhir/Patient/${alice.id}`, { ...stored, identifier: [...(stored.identifier ?? []), ...extraIds] }), 200);
  rawPatients.find((p) => p.id === alice.id)!.identifier = [...((alice.raw.identifier as unknown[]) ?? []), ...extraIds];
  bob = await storeSyntheaPatient(1, { telecom: [{ system: 'sms', value: '+1 555 0102' }] });
  carol = await storeSyntheaPatient(2, { telecom: [{ system: 'sms', value: '+1 555 0103' }] });
  await custodyPatient({ url: node.url, token: admin, dataDir: org.dataDir }, alice.id, 'alice passphrase');
  await custodyPatient({ url: node.url, token: admin, dataDir: org.dataDir }, bob.id, 'bob passphrase');
  // Carol links her own key and logs in.
  ok(await call('POST', `/api/patients/${carol.id}/activation`, {}));
  const master = masterAccount(generatePrivateKey());
  await patientLink({ url: node.url, token: '' }, master, { patientId: carol.id, code: activationCodeFor(org.dataDir, carol.id) });
  carolKey = custodianAccount(masterKeyOf(master), org.orgId);
  const challenge = ok(await call('POST', '/api/auth/patient/challenge', { address: carolKey.address }, undefined), 200).challenge;
  carolToken = ok(await call('POST', '/api/auth/patient/login', { address: carolKey.address, challenge, signature: await carolKey.signMessage({ message: patientLoginMessage(org.orgId, challenge) }) }, undefined), 200).access_token;
});
let sponsorNode: RunningNode | undefined;
after(async () => {
  await sponsorNode?.stop();
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

test('registration before enrolment: nothing enrols into an unregistered study; the registry entry matches the ledger', async () => {
  const unregistered = `0x${'5e'.repeat(32)}`;
  const refused = await call('POST', `/api/research/studies/${unregistered}/subjects`, { patientId: alice.id, grantId: `0x${'01'.repeat(32)}` });
  assert.equal(refused.status, 422);
  assert.match(refused.body.error.message, /not registered/);

  const r = ok(await call('POST', '/api/research/studies', { study, protocol: { document: 'Protocol v1: metformin vs placebo, 12 weeks.', outcomes: OUTCOMES, scope: SCOPE } }));
  studyId = r.studyId;
  researchStudyId = r.researchStudyId;
  assert.equal(r.version, 1);
  const entry = ok(await call('GET', `/api/research/studies/${studyId}`), 200);
  assert.equal(entry.registered, true);
  assert.equal(entry.versions[0].verified, true);
  assert.equal(entry.versions[0].onChainHash, r.protocolHash);
  assert.equal(entry.liveRecord, 'matches');
  // The ResearchStudy is a FHIR record like any other; an edit that is not an amendment shows as drift.
  const rs = ok(await call('GET', `/fhir/ResearchStudy/${researchStudyId}`), 200);
  assert.equal(rs.title, study.title);
  ok(await call('PUT', `/fhir/ResearchStudy/${researchStudyId}`, { ...rs, title: 'Quietly renamed' }), 200);
  assert.equal(ok(await call('GET', `/api/research/studies/${studyId}`), 200).liveRecord, 'changed-since-registration');
  ok(await call('PUT', `/fhir/ResearchStudy/${researchStudyId}`, { ...rs, title: study.title }), 200);
  assert.equal(ok(await call('GET', `/api/research/studies/${studyId}`), 200).liveRecord, 'matches');
});

test('enrolment only under a research consent naming this study and version', async () => {
  // A treatment grant to the hospital is not a research consent.
  const treat = await custodyGrant(node.url, { patientId: bob.id, passphrase: 'bob passphrase', grantee: org.slug, scope: SCOPE, purpose: 'TREAT' });
  assert.equal(treat.status, 201, JSON.stringify(treat.body));
  const wrong = await call('POST', `/api/research/studies/${studyId}/subjects`, { patientId: bob.id, grantId: treat.grantId });
  assert.equal(wrong.status, 422);
  assert.match(wrong.body.error.message, /names no study/);
  // A grant naming the study with purpose research, relayed by the patient, enrols.
  for (const [p, pass] of [[alice, 'alice passphrase'], [bob, 'bob passphrase']] as const) {
    const c = ok(await call('POST', `/api/research/studies/${studyId}/consent`, { patientId: p.id, passphrase: pass, days: 30 }, undefined));
    if (p === alice) aliceV1Grant = c.grantId;
    const e = ok(await call('POST', `/api/research/studies/${studyId}/subjects`, { patientId: p.id, grantId: c.grantId }));
    assert.equal(e.version, 1);
    assert.equal(e.reconsent, false);
  }
  // Carol signs with her own key and relays it herself.
  const info = ok(await call('GET', '/api/node', undefined, undefined), 200);
  const salt = newSalt();
  const label = `ResearchStudy/${researchStudyId}/_protocol/1`;
  const nonce = BigInt(ok(await call('GET', `/api/consent/nonce/${carolKey.address}`, undefined, carolToken), 200).nonce);
  const now = BigInt(Math.floor(Date.now() / 1000));
  const grant = { patient: carolKey.address as Address, grantee: granteeCommitment(salt, practitionerGrantee(org.orgId, label)), scopeHash: scopeCommitment(salt, SCOPE), purpose: 3, start: now - 60n, expiry: now + 86400n, nonce };
  const signature = await signGrant(carolKey, consentDomain(info.chainId, info.contracts.ConsentRegistry), grant);
  const relayed = ok(await call('POST', '/api/consent/relay', { grant: { ...grant, start: String(grant.start), expiry: String(grant.expiry), nonce: String(nonce) }, signature, disclosure: { salt, grantee: { org: org.orgId, practitioner: label }, scope: SCOPE } }, carolToken));
  ok(await call('POST', `/api/research/studies/${studyId}/subjects`, { patientId: carol.id, grantId: relayed.grantId }));
  assert.equal(ok(await call('GET', `/api/research/studies/${studyId}`), 200).subjects.enrolled, 3);
});

test('capture is anchored in batches; the monitor sees late and altered entries', async () => {
  for (const p of [alice, bob, carol]) ok(await call('POST', `/api/research/studies/${studyId}/data`, { patientId: p.id, resources: p.observations }));
  const b0 = ok(await call('POST', `/api/research/studies/${studyId}/batches`));
  assert.equal(b0.batch, 0);
  assert.equal(b0.size, alice.observations.length + bob.observations.length + carol.observations.length);
  let report = ok(await call('GET', `/api/research/studies/${studyId}/integrity`), 200);
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.equal(report.batches[0].rootMatches, true);

  // A back-dated entry captured after batch 0 was sealed, and an anchored entry changed afterwards.
  const late = ok(await call('POST', `/api/research/studies/${studyId}/data`, { patientId: bob.id, resources: [{ ...bob.observations[0]!, effectiveDateTime: '2001-01-01T00:00:00Z' }] }));
  ok(await call('POST', `/api/research/studies/${studyId}/batches`));
  const first = ok(await call('POST', `/api/research/studies/${studyId}/data`, { patientId: alice.id, resources: [{ ...alice.observations[0]!, effectiveDateTime: new Date().toISOString() }] })).captured[0];
  const stored = ok(await call('GET', `/fhir/Observation/${first.id}`), 200);
  ok(await call('POST', `/api/research/studies/${studyId}/batches`));
  ok(await call('PUT', `/fhir/Observation/${first.id}`, { ...stored, valueQuantity: { ...stored.valueQuantity, value: 999 } }), 200);
  report = ok(await call('GET', `/api/research/studies/${studyId}/integrity`), 200);
  assert.equal(report.ok, false);
  assert.deepEqual(report.late.map((l: { seq: number }) => l.seq), [late.captured[0].seq]);
  assert.deepEqual(report.altered.map((a: { seq: number; reason: string }) => [a.seq, a.reason]), [[first.seq, 'new-version']]);
  assert.ok(report.batches.every((b: { rootMatches: boolean }) => b.rootMatches), 'the anchored roots still match what was captured');
  // The monitor proves one entry is in its anchored batch, and checks the proof itself.
  const proof = ok(await call('GET', `/api/research/studies/${studyId}/entries/1/proof`), 200);
  assert.equal(proof.verified, true);
  assert.deepEqual([proof.batch, proof.size], [0, b0.size]);
  const root = report.batches.find((b: { batch: number }) => b.batch === proof.batch).anchoredRoot as string;
  const leafHashed = leafHash(Buffer.from(proof.leaf, 'utf8'));
  assert.equal(`0x${leafHashed.toString('hex')}`, proof.leafHash);
  assert.deepEqual(verifyInclusion(proof.index, proof.size, leafHashed, proof.proof.map((h: string) => Buffer.from(h.slice(2), 'hex')), Buffer.from(root.slice(2), 'hex')), { ok: true });
});

test('amendments: a minor one keeps consent; a material one, or a wider scope, requires re-consent before use', async () => {
  const minor = ok(await call('POST', `/api/research/studies/${studyId}/amendments`, { protocol: { document: 'Protocol v2: clarified visit windows.', outcomes: OUTCOMES, scope: SCOPE }, reason: 'visit windows', reconsent: false }));
  assert.deepEqual([minor.version, minor.reconsent], [2, false]);
  assert.equal(ok(await call('GET', `/api/research/studies/${studyId}/subjects/${alice.id}`), 200).usable, true);

  const wider = { resourceTypes: ['Observation', 'QuestionnaireResponse'] };
  const outcomesV3 = [...OUTCOMES, { id: 'S4', name: 'Blood pressure', measure: 'mmHg', timeFrame: '12 weeks', kind: 'secondary' }];
  const material = ok(await call('POST', `/api/research/studies/${studyId}/amendments`, { protocol: { document: 'Protocol v3: adds a questionnaire and blood pressure.', outcomes: outcomesV3, scope: wider }, reason: 'questionnaire added', reconsent: false }));
  assert.deepEqual([material.version, material.reconsent], [3, true]);
  assert.match(material.forcedBy, /QuestionnaireResponse/);
  const entry = ok(await call('GET', `/api/research/studies/${studyId}`), 200);
  assert.deepEqual(entry.versions.map((v: { version: number; verified: boolean; reconsent: boolean }) => [v.version, v.verified, v.reconsent]), [[1, true, false], [2, true, false], [3, true, true]]);

  const status = ok(await call('GET', `/api/research/studies/${studyId}/subjects/${alice.id}`), 200);
  assert.deepEqual([status.usable, status.reason], [false, 'consented to protocol v1; v3 requires re-consent']);
  const capture = await call('POST', `/api/research/studies/${studyId}/data`, { patientId: alice.id, resources: [alice.observations[1]!] });
  assert.equal(capture.status, 422);
  // Her version-1 grant does not re-consent her.
  const old = await call('POST', `/api/research/studies/${studyId}/subjects`, { patientId: alice.id, grantId: aliceV1Grant });
  assert.equal(old.status, 422);
  assert.match(old.body.error.message, /protocol version 3/);
  const c = ok(await call('POST', `/api/research/studies/${studyId}/consent`, { patientId: alice.id, passphrase: 'alice passphrase', days: 30 }, undefined));
  const re = ok(await call('POST', `/api/research/studies/${studyId}/subjects`, { patientId: alice.id, grantId: c.grantId }));
  assert.deepEqual([re.version, re.reconsent], [3, true]);
  assert.equal(ok(await call('GET', `/api/research/studies/${studyId}/subjects/${alice.id}`), 200).usable, true);
});

test('withdrawal: the patient sees the study, withdraws, and their data is not used from that block on', async () => {
  const mine = ok(await call('GET', '/api/research/my-studies', undefined, carolToken), 200).studies;
  assert.deepEqual(mine.map((s: { studyId: string; title: string }) => [s.studyId, s.title]), [[studyId, study.title]]);
  // Carol consented to v1; v3 needs her re-consent, which she does not give: she withdraws.
  assert.equal(mine[0].usable, false);
  const w = ok(await call('POST', `/api/research/my-studies/${studyId}/withdrawal`, {}, carolToken));
  assert.ok(w.blockNumber > 0);
  const after = ok(await call('GET', '/api/research/my-studies', undefined, carolToken), 200).studies;
  assert.equal(after[0].status, `withdrawn at block ${w.blockNumber}`);
  // Another patient cannot see her list, and staff cannot re-enrol her.
  assert.equal((await call('GET', '/api/research/my-studies')).status, 403);
  const again = await call('POST', `/api/research/studies/${studyId}/subjects`, { patientId: carol.id, grantId: `0x${'02'.repeat(32)}` });
  assert.equal(again.status, 422);
  // Staff record Bob's withdrawal.
  ok(await call('POST', `/api/research/studies/${studyId}/subjects/${bob.id}/withdrawal`, {}));
  assert.match(ok(await call('GET', `/api/research/studies/${studyId}/subjects/${bob.id}`), 200).reason, /^withdrawn at block \d+$/);
});

test('outcome switching: each kind, against the version in force when enrolment started (v1)', async () => {
  const reported = [
    { name: 'Change in HbA1c', measure: 'HbA1c (mmol/mol), mean change from baseline', timeFrame: '12 weeks', kind: 'primary' }, // measure changed
    { name: 'Severe hypoglycaemia events', measure: 'number of events', timeFrame: '12 weeks', kind: 'secondary' }, // primary → secondary
    { name: 'Body weight', measure: 'kg, mean change', timeFrame: '24 weeks', kind: 'secondary' }, // time frame changed
    { name: 'Fasting plasma glucose', measure: 'mmol/L', timeFrame: '12 weeks', kind: 'primary' }, // secondary → primary
    // Quality of life: omitted. Blood pressure: added (v3 added it after enrolment started, so it is not pre-specified).
    { name: 'Blood pressure', measure: 'mmHg', timeFrame: '12 weeks', kind: 'secondary' },
  ];
  const r = ok(await call('POST', `/api/research/studies/${studyId}/outcome-check`, { reported }), 200);
  assert.equal(r.comparedWith, 1);
  const kinds = r.findings.map((f: { kind: string; evidence: { registered?: { name: string }; reported?: { name: string } } }) => [f.kind, (f.evidence.registered ?? f.evidence.reported)!.name]).sort();
  assert.deepEqual(kinds, [
    ['added', 'Blood pressure'],
    ['measure-changed', 'Change in HbA1c'],
    ['omitted', 'Quality of life'],
    ['primary-to-secondary', 'Severe hypoglycaemia events'],
    ['secondary-to-primary', 'Fasting plasma glucose'],
    ['time-frame-changed', 'Body weight'],
  ]);
  assert.ok(r.findings.every((f: { evidence: unknown }) => f.evidence));
});

test('de-identified export: Safe Harbor classes gone, only usable subjects, stable pseudonyms, manifest on the ledger', async () => {
  const ex = ok(await call('POST', `/api/research/studies/${studyId}/exports`));
  // Only Alice may be used now (Bob and Carol withdrew).
  assert.equal(ex.excluded.length, 2);
  assert.ok(ex.excluded.every((e: { reason: string }) => /withdrawn/.test(e.reason)));
  const resources = ex.resources as FhirResource[];
  const patients = resources.filter((r) => r.resourceType === 'Patient');
  assert.equal(patients.length, 1);
  const text = JSON.stringify(resources);
  const raw = rawPatients.find((p) => p.id === alice.id)!;
  // No direct identifier of Alice survives: names, street, city, phone, fax, e-mail, URL, every identifier value, photo, the record id.
  const names = (raw.name as { family?: string; given?: string[] }[]).flatMap((n) => [n.family ?? '', ...(n.given ?? [])]).filter(Boolean);
  const idValues = ((raw.identifier ?? []) as { value?: string }[]).map((i) => i.value!).filter(Boolean);
  for (const value of [...names, ...idValues, '12 Elm St', 'Berlin', '+1 555 0101', '+1 555 0199', 'alice@example.org', 'alice.example.org', 'iVBORw0KGgo=', '192.168.10.23', alice.id, '1930-02-03']) {
    assert.ok(!text.includes(value), `the export still holds "${value}"`);
  }
  const p = patients[0]!;
  assert.deepEqual((p.address as { postalCode?: string; state?: string }[])[0], { state: 'NH', postalCode: '000', country: 'US' }, 'ZIP3 036 has ≤ 20,000 people: 000');
  assert.equal(p.birthDate, undefined, 'aged 90+: no birth year');
  assert.ok(JSON.stringify(p.extension).includes('deid-birth-year-on-or-before'));
  for (const o of resources.filter((r) => r.resourceType === 'Observation')) {
    assert.match(String(o.effectiveDateTime), /^\d{4}$/, 'dates reduced to the year');
    assert.equal((o.subject as { reference: string }).reference, `Patient/${p.id}`, 'references follow the pseudonym');
  }
  const classes = ex.report.classes as Record<string, { removed: number; generalised: number; pseudonymised: number }>;
  const touched = (k: string) => Object.values(classes[k] ?? {}).reduce((a, b) => a + Number(b), 0);
  for (const k of ['names', 'geographic', 'dates', 'telephone', 'fax', 'email', 'ssn', 'mrn', 'health-plan', 'account', 'licence', 'vehicle', 'device', 'url', 'ip', 'biometric', 'photo', 'other-id']) assert.ok(touched(k) > 0, `class ${k} was not exercised: ${JSON.stringify(classes[k])}`);

  // The manifest is on the ledger: the dataset verifies; one changed value does not.
  const verified = ok(await call('POST', `/api/research/studies/${studyId}/datasets/verify`, { resources }, undefined), 200);
  assert.deepEqual([verified.verified, verified.manifestHash, verified.dataset], [true, ex.manifestHash, ex.dataset]);
  const tampered = resources.map((r) => (r.resourceType === 'Patient' ? { ...r, gender: r.gender === 'male' ? 'female' : 'male' } : r));
  assert.equal(ok(await call('POST', `/api/research/studies/${studyId}/datasets/verify`, { resources: tampered }, undefined), 200).verified, false);

  // The same, from the command line: anyone verifies the dataset file; the monitor's report exits 1 (findings above).
  const file = join(tmp.dir, 'dataset.ndjson');
  writeFileSync(file, resources.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const cli = await runCli(['research', 'verify', studyId, '--node', node.url, '--dataset', file]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^VERIFIED: dataset \d+ of study/);
  const monitor = await runCli(['research', 'integrity', studyId, '--node', node.url, '--token', admin]);
  assert.equal(monitor.code, 1, monitor.stderr);
  assert.match(monitor.stdout, /late: Observation\//);
  assert.match(monitor.stdout, /altered: Observation\/.* new-version/);

  // A second export of the study uses the same pseudonyms.
  const again = ok(await call('POST', `/api/research/studies/${studyId}/exports`));
  assert.equal(again.resources.find((r: FhirResource) => r.resourceType === 'Patient').id, p.id);
  assert.equal(again.dataset, ex.dataset + 1);

  // Re-identification attempt: join the release with the identified Synthea population on quasi-identifiers.
  const population = bundles.flatMap((b) => b.entry.map((e) => e.resource)).filter((r) => r.resourceType === 'Patient').concat(rawPatients);
  const attack = reidentificationAttempt(resources, population);
  console.log(`re-identification attempt on the export: ${JSON.stringify(attack.deidentified)}; baseline on raw data: ${JSON.stringify(attack.baseline)}`);
  assert.ok(attack.deidentified);
});

test('a site on another node imports a sponsor\'s study (checked against the ledger) and enrols under it', async () => {
  const sponsor = await registerTestOrg(chain, tmp.dir, 'trial-sponsor', 'research-sponsor');
  sponsorNode = await startNode(testNodeConfig({ org: sponsor.slug, home: tmp.dir, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent' }));
  const sponsorToken = readFileSync(join(sponsor.dataDir, 'admin-token'), 'utf8').trim();
  const at = (method: string, path: string, body?: unknown) => fetch(`${sponsorNode!.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${sponsorToken}` }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const reg = ok(await at('POST', '/api/research/studies', { study: { ...study, title: 'Sponsored study' }, protocol: { document: 'Sponsor protocol v1', outcomes: OUTCOMES, scope: SCOPE } }));
  ok(await at('POST', `/api/research/studies/${reg.studyId}/amendments`, { protocol: { document: 'Sponsor protocol v2', outcomes: OUTCOMES, scope: SCOPE }, reason: 'typo', reconsent: false }));
  const protocol = ok(await at('GET', `/api/research/studies/${reg.studyId}/protocol`), 200);
  // A changed outcome or reason is refused: it is not what the ledger holds.
  const forged = structuredClone(protocol);
  forged.versions[0].doc.outcomes[0].timeFrame = '24 weeks';
  assert.equal((await call('POST', '/api/research/imports', forged)).status, 422);
  assert.equal((await call('POST', '/api/research/imports', { ...protocol, versions: protocol.versions.map((v: { reason: string | null }, i: number) => (i === 1 ? { ...v, reason: 'another' } : v)) })).status, 422);
  // The site imports with the CLI, from the sponsor's node.
  const cli = await runCli(['research', 'import', reg.studyId, '--node', node.url, '--token', admin, '--from', sponsorNode.url, '--from-token', sponsorToken]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /2 protocol version\(s\) imported/);
  const entry = ok(await call('GET', `/api/research/studies/${reg.studyId}`), 200);
  assert.deepEqual(entry.versions.map((v: { verified: boolean }) => v.verified), [true, true]);
  // Alice consents to the sponsor's study (grantee: the sponsor, labelled with the study and version 2) and is enrolled at the site.
  const c = ok(await call('POST', `/api/research/studies/${reg.studyId}/consent`, { patientId: alice.id, passphrase: 'alice passphrase', days: 30 }, undefined));
  const e = ok(await call('POST', `/api/research/studies/${reg.studyId}/subjects`, { patientId: alice.id, grantId: c.grantId }));
  assert.equal(e.version, 2);
  const mine = ok(await call('GET', `/api/research/studies/${reg.studyId}/subjects/${alice.id}`), 200);
  assert.equal(mine.usable, true);
});
