// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * Consent-enforced exchange between organizations on one Anvil: a custodian node (in this process)
 * and a requesting node (its own process). The patient's activation, custody key and grants; salted
 * commitments opened by the patient's disclosure; notices to the grantee; scope, purpose, sensitivity
 * by code, revocation; break-glass by an affiliated, licensed clinician, named on the ledger and at both
 * ends; and the attacks of issue #11 on all of it (see docs/evidence.md).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { keccak256, stringToHex, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import type { Scope } from '../src/consent/scope.ts';
import { credentialDocumentHash } from '../src/credentials/vc.ts';
import { breakGlassTag } from '../src/crypto/patient-keys.ts';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { EXCHANGE_PURPOSE } from '../src/exchange/protocol.ts';
import { fetchFromCustodians } from '../src/exchange/requester.ts';
import { envelope, requestDigest, SIGNATURE_HEADER } from '../src/identity/org-requests.ts';
import { breakGlassFlag, type BreakGlassFlag } from '../src/indexer/projectors/break-glass.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { peerFetch } from '../src/tls/peer-fetch.ts';
import { freePort, licenseTestPractitioner, registerTestOrg, runCli, startCli, startTestChain, tempDir, waitUntil, type CliProcess, type TestOrg, testNodeConfig, openNodeDb } from './helpers/env.ts';
import { activationCodeFor, custodyGrant, custodyPatient, patientWithPhone } from './helpers/patients.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let hospital: TestOrg; // custodian
let clinic: TestOrg; // requester
let rogue: TestOrg; // a registered organization with no affiliation to the licensed clinician
let a: RunningNode;
let b: CliProcess;
let bUrl: string;
let aToken: string;
let bToken: string;
let patientId: string;
let patientAddress: Address;
const PASS = 'correct horse battery staple';
const vitals: Scope = { resourceTypes: ['Observation'] };
const vitalsAndMind: Scope = { resourceTypes: ['Observation'], sensitive: ['mental-health'] };

async function call(base: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => undefined)) as any };
}
const atA = (method: string, path: string, body?: unknown) => call(a.url, aToken, method, path, body);
const atB = (method: string, path: string, body?: unknown) => call(bUrl, bToken, method, path, body);
const fetchAtB = (scope?: Scope, purpose = 'TREAT') => atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose, ...(scope ? { scope } : {}) });
const grant = async (scope: Scope, purpose = 'TREAT') => {
  const g = await custodyGrant(a.url, { patientId, passphrase: PASS, grantee: clinic.slug, scope, purpose });
  assert.equal(g.status, 201, JSON.stringify(g.body));
  assert.equal(g.notice?.delivered, true, `the grantee is told: ${JSON.stringify(g.notice)}`);
  return g;
};

before(async () => {
  chain = await startTestChain(tmp.dir);
  const [pa, pb] = [await freePort(), await freePort()];
  hospital = await registerTestOrg(chain, tmp.dir, 'custodian-hospital', 'hospital', `http://127.0.0.1:${pa}`);
  clinic = await registerTestOrg(chain, tmp.dir, 'requesting-clinic', 'clinic', `http://127.0.0.1:${pb}`);
  rogue = await registerTestOrg(chain, tmp.dir, 'rogue-clinic', 'clinic', 'http://127.0.0.1:9');
  a = await startNode(testNodeConfig({ org: hospital.slug, home: tmp.dir, port: pa, rpcUrl: chain.anvil.rpcUrl, logLevel: (process.env.TEST_LOG as never) ?? 'silent' }));
  b = startCli(['node', 'start', '--org', clinic.slug, '--home', tmp.dir, '--port', String(pb), '--log-level', 'warn'], { CARECHAIN_RPC_URL: chain.anvil.rpcUrl });
  bUrl = ((await b.ready) as { url: string }).url;
  aToken = readFileSync(join(hospital.dataDir, 'admin-token'), 'utf8').trim();
  bToken = readFileSync(join(clinic.dataDir, 'admin-token'), 'utf8').trim();

  // The custodian's records of one patient: a pulse, a mental-health note (labelled), asthma, and two
  // sensitive conditions coded but not labelled by their author (HIV, opioid abuse).
  patientId = (await atA('POST', '/fhir/Patient', patientWithPhone('Shared'))).body.id;
  const subject = { reference: `Patient/${patientId}` };
  await atA('POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject });
  await atA('POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'mood assessment' }, subject, meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }] } });
  await atA('POST', '/fhir/Condition', { resourceType: 'Condition', subject, code: { text: 'asthma' } });
  await atA('POST', '/fhir/Condition', { resourceType: 'Condition', subject, code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008', display: 'Human immunodeficiency virus infection' }] } });
  await atA('POST', '/fhir/Condition', { resourceType: 'Condition', subject, code: { coding: [{ system: 'http://snomed.info/sct', code: '5602001', display: 'Opioid abuse' }] } });
  await a.services.anchorers.records.maybeAnchor(true);
  patientAddress = await custodyPatient({ url: a.url, token: aToken, dataDir: hospital.dataDir }, patientId, PASS);
});

after(async () => {
  await b?.stop();
  await a?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('consent-enforced exchange', () => {
  test('without a grant the requester has nothing to ask with; a request without one is denied', async () => {
    const r = await fetchAtB(vitals);
    assert.equal(r.status, 200);
    assert.equal(r.body.entry.length, 0);
    assert.match(r.body.problems[0], /no consent notice/);
    // Asked directly, the custodian denies, and answers the same for a patient it does not know.
    const storage = openNodeDb(clinic);
    const requester = { storage, keys: loadKeyFile(clinic.keyFile), peerFetch: peerFetch(undefined), orgId: clinic.orgId };
    const known = await fetchFromCustodians(requester, [{ custodian: hospital.orgId, patient: patientAddress, scope: vitals }], { purpose: 'TREAT' });
    const stranger = await fetchFromCustodians(requester, [{ custodian: hospital.orgId, patient: privateKeyToAccount(generatePrivateKey()).address, scope: vitals }], { purpose: 'TREAT' });
    await storage.close();
    assert.deepEqual([known.custodians[0]!.status, stranger.custodians[0]!.status], [403, 403]);
    assert.equal(known.problems[0]!.replace(/block \d+/, ''), stranger.problems[0]!.replace(/block \d+/, ''));
  });

  test("with the patient's grant: exactly its scope, verified against the ledger; sensitive data needs naming", async () => {
    const g = await grant(vitals);
    assert.match(g.grantId!, /^0x[0-9a-f]{64}$/);
    const r = await fetchAtB(vitals);
    assert.deepEqual(r.body.problems, []);
    assert.deepEqual(r.body.entry.map((e: any) => e.resource.resourceType + ':' + (e.resource.code?.text ?? '')).sort(), ['Observation:pulse', 'Patient:']);
    assert.equal((await fetchAtB(vitals, 'HPAYMT')).body.custodians[0].status, 403, 'wrong purpose');
    const wider = await fetchAtB({ resourceTypes: ['Observation', 'Condition'] });
    assert.equal(wider.body.custodians[0].status, 403, 'wrong scope');
    assert.match(wider.body.problems[0], /no grant with this scope/);
    await grant(vitalsAndMind);
    const withMind = await fetchAtB(vitalsAndMind);
    assert.deepEqual(withMind.body.entry.map((e: any) => e.resource.code?.text).filter(Boolean).sort(), ['mood assessment', 'pulse']);
  });

  test('the CLI fetches and says why when nothing comes back', async () => {
    const args = ['exchange', 'fetch', '--node', bUrl, '--org', clinic.slug, '--home', tmp.dir];
    const ok = await runCli([...args, '--patient', patientAddress, '--types', 'Observation']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`custodian ${hospital.orgId}: HTTP 200, 2 verified`));
    assert.match(ok.stdout, /2 resources verified against the ledger: .*1 Observation/);
    const none = await runCli([...args, '--patient', privateKeyToAccount(generatePrivateKey()).address]);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /problem: no grant to this organization for this patient has been received/);
  });

  test('#11.4 sensitive conditions are recognised by their codes: a plain Condition grant releases asthma only', async () => {
    await grant({ resourceTypes: ['Condition'] });
    const r = await fetchAtB({ resourceTypes: ['Condition'] });
    assert.deepEqual(r.body.problems, []);
    const conditions = r.body.entry.map((e: any) => e.resource).filter((x: any) => x.resourceType === 'Condition');
    assert.deepEqual(conditions.map((c: any) => c.code.text ?? c.code.coding[0].code), ['asthma'], 'HIV (86406008) and opioid abuse (5602001) withheld');
  });

  test('a revocation in block N blocks every decision made at index height >= N; wrong passphrases are refused and audited', async () => {
    const consents = await atA('GET', `/fhir/Consent?patient=Patient/${patientId}`);
    const first = consents.body.entry.map((e: any) => e.resource).find((c: any) => c.status === 'active');
    assert.equal((await call(a.url, '', 'POST', '/api/patient/consent/revoke', { patientId, passphrase: 'wrong passphrase', grantId: first.id })).status, 403);
    const revoked = await call(a.url, '', 'POST', '/api/patient/consent/revoke', { patientId, passphrase: PASS, grantId: first.id });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal((await atA('GET', `/fhir/Consent/${first.id}`)).body.status, 'inactive');
    const r = await fetchAtB(vitals);
    assert.ok(r.body.problems.some((p: string) => /the grant was revoked/.test(p)), JSON.stringify(r.body.problems));
    const entries = (await atA('GET', `/api/audit/entries?patient=${patientId}&limit=1000`)).body.entries.map((e: any) => e.event);
    assert.ok(entries.some((e: any) => e.subtype[0].code === 'custody-passphrase' && e.outcome === '4'), 'the wrong passphrase is in the trail');
    const exchange = entries.filter((e: any) => e.subtype[0].code === 'exchange');
    assert.ok(exchange.some((e: any) => e.outcome === '0') && exchange.some((e: any) => e.outcome === '4'));
    assert.ok(exchange.every((e: any) => e.agent[0].who.reference === `Organization/${clinic.orgId}`));
  });
});

describe('#11.1-#11.3 clinicians, licences and break-glass', () => {
  let erDoc: Awaited<ReturnType<typeof licenseTestPractitioner>>;
  let clinicianToken: string;
  const emergency = { patient: '' as string, purpose: 'ETREAT', emergencyReason: 'unconscious patient in the ER' };

  before(async () => {
    emergency.patient = patientAddress;
    const u = await runCli(['user', 'add', '--org', clinic.slug, '--home', tmp.dir, '--username', 'er.doc', '--role', 'clinician', '--practitioner', 'Practitioner/er-doc'], { CARECHAIN_PASSWORD: 'a long enough password' });
    assert.equal(u.code, 0, u.stderr);
    clinicianToken = (await call(bUrl, '', 'POST', '/api/auth/login', { username: 'er.doc', password: 'a long enough password' })).body.access_token;
  });

  test('#11.3 an unlicensed clinician gets nothing from other organizations either', async () => {
    const r = await call(bUrl, clinicianToken, 'POST', '/api/exchange/fetch', { ...emergency });
    assert.equal(r.status, 403);
    assert.match(r.body.error.message, /not in good standing as a clinician: Practitioner\/er-doc has presented no medical licence/);
  });

  test('#11.1 a licence cannot be presented by an organization its holder did not sign for', async () => {
    erDoc = await licenseTestPractitioner(chain, tmp.dir, { url: bUrl, token: bToken }, 'Practitioner/er-doc');
    // The hospital copies the clinic's doctor's licence and presents it with a signature of its own.
    const stolen = await erDoc.present({ url: a.url, token: aToken }, privateKeyToAccount(generatePrivateKey()));
    assert.equal(stolen.status, 422);
    assert.match(((await stolen.json()) as any).error.message, /NotTheHolder/);
    // A signature the holder gave the clinic is worthless to anyone else: it names the clinic.
    const affiliated = await a.services.credentialStore.referencedLicenceProblem({ id: erDoc.credentialId, hash: credentialDocumentHash(erDoc.jws) }, hospital.orgId);
    assert.match(affiliated!, /not affiliated with the requesting organization/);
  });

  test('#11.1 a custodian refuses break-glass for a licence not affiliated with the requester', async () => {
    const r = await signedRequest(rogue, {
      practitioner: 'Practitioner/er-doc',
      patient: patientAddress,
      purpose: 'ETREAT',
      scope: { resourceTypes: ['Patient'] },
      breakGlass: { reason: 'unconscious patient in the ER' },
      credential: { id: erDoc.credentialId, hash: credentialDocumentHash(erDoc.jws) },
    });
    const res = await r.send();
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as any).error.message, /break-glass refused: the licence holder is not affiliated with the requesting organization/);
  });

  test('#11.2 break-glass by the affiliated clinician: flagged on chain naming both, reviewed at both ends, visible to the patient', async () => {
    const noReason = await call(bUrl, clinicianToken, 'POST', '/api/exchange/fetch', { patient: patientAddress, purpose: 'ETREAT' });
    assert.match(noReason.body.problems.join(), /no grant|no consent notice|denied/);
    const wrongPurpose = await call(bUrl, clinicianToken, 'POST', '/api/exchange/fetch', { ...emergency, purpose: 'TREAT' });
    assert.equal(wrongPurpose.status, 400);

    const r = await call(bUrl, clinicianToken, 'POST', '/api/exchange/fetch', emergency);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const at = r.body.custodians.find((c: any) => c.orgId === hospital.orgId);
    assert.equal(at.status, 200, JSON.stringify(r.body.problems));
    const bg = at.breakGlass;
    assert.ok(bg.until > Date.now() / 1000 + 3000, 'limited in time (an hour)');
    assert.equal(r.body.entry.filter((e: any) => e.resource.resourceType === 'Condition').length, 3, 'the whole record, in an emergency');

    // On the ledger: the requesting organization and the licence by id; the patient only by a tag the
    // patient can recognise (HMAC with their tag secret); the reason salted.
    const bDb = openNodeDb(clinic);
    let flagged: BreakGlassFlag | undefined;
    await waitUntil('the flag indexed at the requester', async () => !!(flagged = await breakGlassFlag(bDb, bg.accessId)), 10_000);
    await bDb.close();
    assert.equal(flagged!.custodian, hospital.orgId);
    assert.equal(flagged!.requester, clinic.orgId);
    assert.equal(flagged!.practitioner, erDoc.credentialId);
    const tagSecret = (await a.services.patients.tagSecretOf(patientId))!;
    assert.equal(flagged!.patientTag, breakGlassTag(tagSecret, bg.accessId));
    assert.notEqual(flagged!.reasonHash, keccak256(stringToHex(emergency.emergencyReason)), 'the reason hash is salted');

    // The custodian's privacy officer sees who, from where and why; so does the requester's.
    const incoming = (await atA('GET', '/api/break-glass')).body.incoming;
    assert.equal(incoming.length, 1);
    assert.deepEqual([incoming[0].practitioner, incoming[0].requester, incoming[0].credential_id, incoming[0].reason], ['Practitioner/er-doc', clinic.orgId, erDoc.credentialId, emergency.emergencyReason]);
    const outgoing = (await atB('GET', '/api/break-glass')).body.outgoing;
    assert.deepEqual([outgoing[0].access_id, outgoing[0].custodian, outgoing[0].practitioner, outgoing[0].reason], [bg.accessId, hospital.orgId, 'Practitioner/er-doc', emergency.emergencyReason]);
    assert.equal((await atB('POST', `/api/break-glass/${bg.accessId}/review`, { review: 'justified', note: 'ER admission' })).status, 200, "the requester's privacy officer reviews it");
    assert.equal((await atA('POST', `/api/break-glass/${bg.accessId}/review`, { review: 'justified' })).status, 200);
    assert.equal((await atA('POST', `/api/break-glass/${bg.accessId}/review`, { review: 'unjustified' })).status, 404, 'reviewed once');
    // The patient's view names the clinician and the organization.
    const view = await atA('GET', `/api/audit/patient/${patientId}`);
    const e = view.body.entries.find((x: any) => x.event.subtype[0].code === 'break-glass' && x.event.outcome === '0');
    assert.match(e.event.outcomeDesc, new RegExp(`Practitioner/er-doc of Test requesting-clinic \\(licence ${erDoc.credentialId}\\)`));
    // The reason is not on disk in the clear (sealed at rest).
    if (existsSync(join(hospital.dataDir, 'node.db'))) assert.equal(readFileSync(join(hospital.dataDir, 'node.db')).includes(Buffer.from(emergency.emergencyReason)), false);
    const sealed = await a.services.storage.all<{ reason_sealed: unknown }>('SELECT reason_sealed FROM break_glass_accesses');
    assert.equal(JSON.stringify(sealed).includes('unconscious'), false);
  });
});

describe('attacks on the exchange', () => {
  test('#11.14 replayed, forged, stale, misaddressed, unregistered and tampered requests are refused', async () => {
    const ok = await signedRequest(clinic, { patient: patientAddress, purpose: 'TREAT', scope: vitals });
    assert.equal((await ok.send()).status, 403, 'authenticated, then denied (no grant named)');
    assert.equal((await ok.send()).status, 401, 'replay');
    assert.equal((await (await signedRequest(clinic, { patient: patientAddress, purpose: 'TREAT', scope: vitals }, { signer: privateKeyToAccount(generatePrivateKey()) })).send()).status, 401, 'forged');
    assert.equal((await (await signedRequest(clinic, { patient: patientAddress, purpose: 'TREAT', scope: vitals }, { timestamp: Date.now() - 10 * 60_000 })).send()).status, 401, 'stale');
    const elsewhere = await signedRequest(clinic, { patient: patientAddress, purpose: 'TREAT', scope: vitals }, { audience: rogue.orgId });
    const res = await elsewhere.send();
    assert.equal(res.status, 401, 'signed for another custodian');
    assert.match(((await res.json()) as any).error.message, /addressed to another organization/);
    const changed = await signedRequest(clinic, { patient: patientAddress, purpose: 'TREAT', scope: vitals });
    assert.equal((await changed.send(changed.signature, changed.body.replace('TREAT', 'HRESCH'))).status, 401, 'body changed after signing');
    const bad = await fetch(`${a.url}/api/exchange/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"requester": 1}' });
    assert.equal(bad.status, 400);
  });

  test('the requester rejects tampered ciphertext, proofs and keys before showing anything', async () => {
    const storage = openNodeDb(clinic);
    const requester = { storage, keys: loadKeyFile(clinic.keyFile), peerFetch: peerFetch(undefined), orgId: clinic.orgId };
    const notice = (await storage.all<{ grant_id: Hex; salt: Hex; scope: string }>('SELECT grant_id, salt, scope FROM consent_notices')).find((n) => JSON.parse(n.scope).sensitive)!;
    const targets = [{ custodian: hospital.orgId, patient: patientAddress, scope: vitalsAndMind, grant: { id: notice.grant_id, salt: notice.salt } }];
    const clean = await fetchFromCustodians(requester, targets, { purpose: 'TREAT' });
    assert.deepEqual(clean.problems, []);
    assert.equal(clean.resources.length, 3);
    for (const [what, tamper, expect] of [
      ['ciphertext', (r: any) => { const c = Buffer.from(r.entries[0].ciphertext, 'base64'); c[30]! ^= 1; r.entries[0].ciphertext = c.toString('base64'); }, /log entry does not describe this ciphertext/],
      ['proof', (r: any) => { r.entries[0].proof = r.entries[0].proof.length ? r.entries[0].proof.slice(1) : [`0x${'11'.repeat(32)}`]; }, /inclusion proof does not verify/],
      ['anchored root', (r: any) => { r.entries[0].anchor.root = `0x${'22'.repeat(32)}`; }, /not the custodian's anchored root/],
      ['wrapped key', (r: any) => { const k = Buffer.from(r.entries[0].wrappedKey, 'base64'); k[k.length - 1]! ^= 1; r.entries[0].wrappedKey = k.toString('base64'); }, /wrapped data key: authentication failed/],
    ] as const) {
      const res = await fetchFromCustodians(requester, targets, { purpose: 'TREAT' }, { tamper });
      assert.equal(res.resources.length, 2, `${what}: the tampered entry is dropped`);
      assert.match(res.problems.join('\n'), expect, what);
    }
    await storage.close();
  });
});

describe('#11.7-#11.9, #11.15 patient identity', () => {
  let selfId: string;
  const keyFile = () => join(tmp.dir, 'patient2.key.json');

  test('#11.8 a key is linked only with the code sent to the patient, by proof of possession; the link is in their trail', async () => {
    selfId = (await atA('POST', '/fhir/Patient', patientWithPhone('SelfCustodied', '+1 555 0142'))).body.id;
    const act = await atA('POST', `/api/patients/${selfId}/activation`, {});
    assert.equal(act.status, 201);
    assert.equal(JSON.stringify(act.body).includes(activationCodeFor(hospital.dataDir, selfId)), false, 'staff never see the code');
    assert.match(act.body.sentTo, /sms ••••0142/);
    // Staff holding a key of their own cannot attach it: they have no code.
    const staffKey = privateKeyToAccount(generatePrivateKey());
    const guess = await call(a.url, '', 'POST', '/api/patient/link', { patientId: selfId, code: 'AAAAAAAA', address: staffKey.address, signature: await staffKey.signMessage({ message: 'x' }), tagSecret: `0x${'00'.repeat(32)}` });
    assert.ok([401, 403].includes(guess.status), String(guess.status));
    assert.equal((await atA('POST', `/api/patients/${selfId}/identity`, { address: staffKey.address })).status, 404, 'the old staff-linking route is gone');

    assert.equal((await runCli(['patient', 'keygen', '--out', keyFile()])).code, 0);
    const link = await runCli(['patient', 'link', '--node', a.url, '--patient-key', keyFile(), '--patient-id', selfId, '--code', activationCodeFor(hospital.dataDir, selfId)]);
    assert.equal(link.code, 0, link.stderr);
    const trail = (await atA('GET', `/api/audit/entries?patient=${selfId}&limit=100`)).body.entries.map((e: any) => e.event);
    assert.ok(trail.some((e: any) => e.subtype[0].code === 'patient-key-link' && e.outcome === '0' && /linked by its holder/.test(e.outcomeDesc)));
    assert.ok(trail.some((e: any) => e.subtype[0].code === 'patient-key-link' && e.outcome === '4'), 'the failed attempt too');
  });

  test("#11.7 a patient reads only their own identity and grants", async () => {
    const address = (await runCli(['patient', 'address', '--node', a.url, '--patient-key', keyFile()])).stdout.trim();
    const { loadPatientKey, masterKeyOf } = await import('../src/cli/consent.ts');
    const { custodianAccount } = await import('../src/crypto/patient-keys.ts');
    const key = custodianAccount(masterKeyOf(loadPatientKey(keyFile())), hospital.orgId);
    assert.equal(key.address, address);
    assert.notEqual(custodianAccount(masterKeyOf(loadPatientKey(keyFile())), clinic.orgId).address, address, 'another address at every custodian');
    const { patientLoginMessage } = await import('../src/identity/patient-challenges.ts');
    const challenge = (await call(a.url, '', 'POST', '/api/auth/patient/challenge', { address })).body.challenge;
    const login = await call(a.url, '', 'POST', '/api/auth/patient/login', { address, challenge, signature: await key.signMessage({ message: patientLoginMessage(hospital.orgId, challenge) }) });
    const t = login.body.access_token;
    assert.equal((await call(a.url, t, 'GET', `/api/patients/${selfId}/identity`)).status, 200);
    assert.equal((await call(a.url, t, 'GET', `/api/patients/${patientId}/identity`)).status, 404, "another patient's identity");
    assert.equal((await call(a.url, t, 'GET', `/api/consent?patient=${patientAddress}`)).status, 403, "another patient's grants");
    assert.equal((await call(a.url, t, 'GET', `/api/consent?patient=${address}`)).status, 200);
    assert.equal((await call(a.url, t, 'GET', '/api/break-glass')).status, 403);
    assert.equal((await call(a.url, t, 'GET', '/api/patient/break-glass')).status, 200);
  });

  test('#11.9 passphrase guesses back off per patient and each failure is audited', async () => {
    const id = (await atA('POST', '/fhir/Patient', patientWithPhone('Guessed'))).body.id;
    await custodyPatient({ url: a.url, token: aToken, dataDir: hospital.dataDir }, id, PASS);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await custodyGrant(a.url, { patientId: id, passphrase: `guess number ${i}`, grantee: clinic.slug, scope: vitals })).status);
    assert.deepEqual(statuses.slice(0, 3), [403, 403, 403]);
    assert.equal(statuses[4], 429, 'locked after the free failures');
    const right = await custodyGrant(a.url, { patientId: id, passphrase: PASS, grantee: clinic.slug, scope: vitals });
    assert.equal(right.status, 429, 'even the right passphrase waits out the back-off');
    const failures = (await atA('GET', `/api/audit/entries?patient=${id}&limit=100`)).body.entries.filter((e: any) => e.event.subtype[0].code === 'custody-passphrase');
    assert.ok(failures.length >= 5);
    // scrypt runs off the event loop: the node stays responsive while guesses are checked.
    const t0 = performance.now();
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => custodyGrant(a.url, { patientId: patientId, passphrase: `parallel guess ${i}`, grantee: clinic.slug, scope: vitals })),
      fetch(`${a.url}/health/live`).then(() => assert.ok(performance.now() - t0 < 400, 'health answered while scrypt runs')),
    ]);
  });

  test('#11.15 erasure destroys the custody key and identity: no grant can be signed for an erased patient', async () => {
    const id = (await atA('POST', '/fhir/Patient', patientWithPhone('Erased'))).body.id;
    await custodyPatient({ url: a.url, token: aToken, dataDir: hospital.dataDir }, id, PASS);
    const erased = await atA('POST', `/fhir/Patient/${id}/$erase`, { resourceType: 'Parameters' });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    // (Through the service: this client's IP spent its patient-endpoint rate limit on the guesses above.)
    await assert.rejects(a.services.consent.grantAsCustodyPatient('127.0.0.1', { patientId: id, passphrase: PASS, grantee: clinic.slug, scope: vitals, purpose: 'TREAT', days: 1 }), (e: any) => ['not-found', 'gone'].includes(e.kind));
    assert.equal(await a.services.patients.identityOf(id), undefined);
    assert.equal((await atA('POST', `/api/patients/${id}/activation`, {})).status, 410, 'cannot be activated again');
  });
});


describe('#11.5 what the ledger reveals', () => {
  test('every event of this run decoded: no PHI, no scope, no grantee, no patient linked across custodians', async () => {
    const { decodeEventLog } = await import('viem');
    const generated = await import('../src/chain/generated/contracts.ts');
    const { scopeDigest } = await import('../src/consent/commitments.ts');
    const abis = Object.entries(generated).filter(([k]) => k.endsWith('Abi')).map(([, v]) => v as readonly unknown[]);
    const logs = await chain.conn.client.getLogs({ fromBlock: 0n, toBlock: 'latest' });
    const events: { name: string; args: Record<string, unknown> }[] = [];
    for (const log of logs) {
      for (const abi of abis) {
        try {
          const e = decodeEventLog({ abi: abi as never, data: log.data, topics: log.topics }) as unknown as { eventName: string; args: Record<string, unknown> };
          events.push({ name: e.eventName, args: e.args });
          break;
        } catch {
          /* another contract's event */
        }
      }
    }
    assert.equal(events.length, logs.length, 'every event decodes');
    const values = events.flatMap((e) => Object.values(e.args).map((v) => String(v).toLowerCase()));
    // No scope in the clear or as its unsalted digest, no grantee organization in a grant.
    const scopes: Scope[] = [vitals, vitalsAndMind, { resourceTypes: ['Condition'] }];
    for (const sc of scopes) assert.equal(values.includes(scopeDigest(sc).toLowerCase()), false, `scope ${JSON.stringify(sc)} is not recognisable`);
    const grants = events.filter((e) => e.name === 'ConsentGranted');
    assert.ok(grants.length >= 3, `${grants.length} grants`);
    for (const g of grants) assert.ok(!Object.values(g.args).map((v) => String(v).toLowerCase()).includes(clinic.orgId.toLowerCase()), 'the grantee is a salted commitment');
    // No PHI: names, phone numbers, codes, reasons appear nowhere in any event's data.
    const raw = logs.map((l) => Buffer.from(l.data.slice(2), 'hex').toString('latin1')).join('');
    for (const phi of ['Shared', 'SelfCustodied', '555 0100', '86406008', 'unconscious', 'asthma', 'pulse']) assert.equal(raw.includes(phi), false, phi);
    // One address per custodian: no address is registered at two custodians in the record locator.
    const located = events.filter((e) => e.name === 'CustodianRegistered');
    const custodiansOf = new Map<string, Set<string>>();
    for (const e of located) custodiansOf.set(String(e.args.patient), (custodiansOf.get(String(e.args.patient)) ?? new Set()).add(String(e.args.orgId)));
    for (const [address, set] of custodiansOf) assert.equal(set.size, 1, `${address} is located at ${set.size} custodians`);
    // Break-glass names the organizations and the licence, never the patient's address.
    for (const e of events.filter((x) => x.name === 'BreakGlass')) {
      assert.ok(!String(e.args.patientTag).toLowerCase().includes(patientAddress.slice(2).toLowerCase()));
    }
  });
});

/** A request signed as `org` (by its registered key unless `signer` is given) to the hospital. */
async function signedRequest(org: TestOrg, fields: Record<string, unknown>, opts: { signer?: ReturnType<typeof privateKeyToAccount>; audience?: Hex; timestamp?: number } = {}) {
  const request = { ...envelope(org.orgId, opts.audience ?? hospital.orgId), ...(opts.timestamp ? { timestamp: opts.timestamp } : {}), ...fields };
  const body = JSON.stringify(request);
  const signature = await (opts.signer ?? org.keys.account).signMessage({ message: { raw: requestDigest(EXCHANGE_PURPOSE, body) } });
  const send = (sig: Hex = signature, b = body) => fetch(`${a.url}/api/exchange/records`, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sig }, body: b });
  return { body, signature, send };
}
