// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * Consent-enforced exchange between two organizations on one Anvil: a custodian node (in this
 * process) and a requesting node (its own process). Grants signed by the patient decide; scope,
 * purpose, sensitivity and revocation are enforced; responses are verified against the ledger;
 * forged, replayed and stale requests are refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { breakGlassFlag, type BreakGlassFlag } from '../src/indexer/projectors/break-glass.ts';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { scopeHash, type Scope } from '../src/consent/scope.ts';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { requestDigest, SIGNATURE_HEADER } from '../src/exchange/protocol.ts';
import { fetchFromCustodians } from '../src/exchange/requester.ts';
import { peerFetch } from '../src/tls/peer-fetch.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { freePort, licenseTestPractitioner, registerTestOrg, runCli, startCli, startTestChain, tempDir, waitUntil, type CliProcess, type TestOrg, testNodeConfig, openNodeDb } from './helpers/env.ts';
import { linkMessage } from '../src/identity/patients.ts';
import { patientLoginMessage } from '../src/identity/patient-challenges.ts';
import { loadPatientKey } from '../src/cli/consent.ts';
import { signGrant, signProxy } from '../src/consent/typed-data.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let hospital: TestOrg; // custodian
let clinic: TestOrg; // requester
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
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const atA = (method: string, path: string, body?: unknown) => call(a.url, aToken, method, path, body);
const atB = (method: string, path: string, body?: unknown) => call(bUrl, bToken, method, path, body);
const fetchAtB = (scope: Scope, purpose = 'TREAT') => atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose, scope });
const grant = async (scope: Scope, purpose = 'TREAT') => (await atA('POST', '/api/consent/grant', { patientId, passphrase: PASS, grantee: clinic.slug, scope, purpose, days: 1 })).body;

before(async () => {
  chain = await startTestChain(tmp.dir);
  const [pa, pb] = [await freePort(), await freePort()];
  hospital = await registerTestOrg(chain, tmp.dir, 'custodian-hospital', 'hospital', `http://127.0.0.1:${pa}`);
  clinic = await registerTestOrg(chain, tmp.dir, 'requesting-clinic', 'clinic', `http://127.0.0.1:${pb}`);
  a = await startNode(testNodeConfig({ org: hospital.slug, home: tmp.dir, port: pa, rpcUrl: chain.anvil.rpcUrl, logLevel: (process.env.TEST_LOG as never) ?? 'silent' }));
  b = startCli(['node', 'start', '--org', clinic.slug, '--home', tmp.dir, '--port', String(pb), '--log-level', 'warn'], { CARECHAIN_RPC_URL: chain.anvil.rpcUrl });
  bUrl = ((await b.ready) as { url: string }).url;
  aToken = readFileSync(join(hospital.dataDir, 'admin-token'), 'utf8').trim();
  bToken = readFileSync(join(clinic.dataDir, 'admin-token'), 'utf8').trim();

  // The custodian's records of one patient: a pulse, a mental-health note (labelled), a condition.
  patientId = (await atA('POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Shared' }] })).body.id;
  const obs = (text: string, security?: unknown) => ({ resourceType: 'Observation', status: 'final', code: { text }, subject: { reference: `Patient/${patientId}` }, ...(security ? { meta: { security } } : {}) });
  await atA('POST', '/fhir/Observation', obs('pulse'));
  await atA('POST', '/fhir/Observation', obs('mood assessment', [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }]));
  await atA('POST', '/fhir/Condition', { resourceType: 'Condition', subject: { reference: `Patient/${patientId}` }, code: { text: 'asthma' } });
  await a.services.anchorers.records.maybeAnchor(true);
  const custody = await atA('POST', `/api/patients/${patientId}/custody-key`, { passphrase: PASS });
  assert.equal(custody.status, 201, JSON.stringify(custody.body));
  patientAddress = custody.body.address;
  await locatedAtB(patientAddress);
});

/** The requester learns custodians from its own index of the ledger: wait until it has indexed them. */
async function locatedAtB(address: Address) {
  await waitUntil('the record locator at the requester', async () => (await atB('GET', `/api/locator/${address}`)).body.custodians?.length === 1, 15_000);
}
after(async () => {
  await b?.stop();
  await a?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('consent-enforced exchange', () => {
  test('without a grant: 403, and nothing of the record leaks', async () => {
    // The requester finds the custodian through the record locator on the ledger.
    const r = await fetchAtB(vitals);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.custodians.map((c: any) => [c.orgId, c.status]), [[hospital.orgId, 403]]);
    assert.equal(r.body.entry.length, 0);
    assert.match(r.body.problems[0], /no grant for this grantee/);
    // An unknown patient gets the same answer: existence is not revealed.
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    const storage = openNodeDb(clinic);
    const s = await fetchFromCustodians({ storage, keys: loadKeyFile(clinic.keyFile), peerFetch: peerFetch(undefined), orgId: clinic.orgId }, { patient: stranger, purpose: 'TREAT', scope: vitals }, { custodians: [hospital.orgId] });
    await storage.close();
    assert.deepEqual(s.custodians.map((c) => c.status), [403]);
  });

  test("with the patient's grant: exactly the scope, verified against the ledger; sensitive data needs naming", async () => {
    const g = await grant(vitals);
    assert.match(g.grantId, /^0x[0-9a-f]{64}$/);
    const r = await fetchAtB(vitals);
    assert.deepEqual(r.body.problems, []);
    assert.deepEqual(r.body.entry.map((e: any) => e.resource.resourceType + ':' + (e.resource.code?.text ?? '')).sort(), ['Observation:pulse', 'Patient:']);
    assert.equal(r.body.entry.find((e: any) => e.resource.resourceType === 'Patient').resource.name[0].family, 'Shared');

    assert.equal((await fetchAtB(vitals, 'HPAYMT')).body.custodians[0].status, 403, 'wrong purpose');
    const wider = await fetchAtB({ resourceTypes: ['Observation', 'Condition'] });
    assert.equal(wider.body.custodians[0].status, 403, 'wrong scope');
    assert.match(wider.body.problems[0], /no grant with this scope/);

    await grant(vitalsAndMind);
    const withMind = await fetchAtB(vitalsAndMind);
    assert.deepEqual(withMind.body.entry.map((e: any) => e.resource.code?.text).filter(Boolean).sort(), ['mood assessment', 'pulse']);
  });

  test('a revocation in block N blocks every decision made at index height >= N', async () => {
    const consents = await atA('GET', `/fhir/Consent?patient=Patient/${patientId}`);
    assert.equal(consents.body.total, 2);
    const first = consents.body.entry[0].resource;
    assert.equal(first.status, 'active');
    assert.equal(first.provision.purpose[0].code, 'TREAT');
    const revoked = await atA('POST', '/api/consent/revoke', { patientId, passphrase: PASS, grantId: first.id });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const r = await fetchAtB(vitals);
    assert.equal(r.body.custodians[0].status, 403);
    const m = /ledger block (\d+)\): the grant was revoked/.exec(r.body.problems[0]);
    assert.ok(m, r.body.problems[0]);
    assert.ok(Number(m[1]) >= revoked.body.blockNumber);
    assert.equal((await atA('GET', `/fhir/Consent/${first.id}`)).body.status, 'inactive');
    assert.equal((await fetchAtB(vitalsAndMind)).body.custodians[0].status, 200, 'the other grant still stands');
    assert.equal((await atA('POST', '/api/consent/revoke', { patientId, passphrase: 'wrong passphrase', grantId: first.id })).status, 403);
  });

  test('the custodian audits every exchange, allowed and denied, naming the requester', async () => {
    const entries = (await atA('GET', `/api/audit/entries?patient=${patientId}&limit=1000`)).body.entries.map((e: any) => e.event);
    const exchange = entries.filter((e: any) => e.subtype[0].code === 'exchange');
    assert.ok(exchange.some((e: any) => e.outcome === '0'));
    assert.ok(exchange.some((e: any) => e.outcome === '4' && /revoked/.test(e.outcomeDesc)));
    assert.ok(exchange.every((e: any) => e.agent[0].who.reference === `Organization/${clinic.orgId}`));
    assert.ok(entries.some((e: any) => e.subtype[0].code === 'consent-grant'));
    assert.ok(entries.some((e: any) => e.subtype[0].code === 'consent-revoke'));
  });
});

describe('break-glass', () => {
  test('emergency access without a grant: stated reason, flagged on the ledger, audited, listed for review', async () => {
    const noReason = await atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose: 'ETREAT', scope: vitals, practitioner: 'Practitioner/er-doc' });
    assert.equal(noReason.body.custodians[0].status, 403, 'ETREAT alone is not enough');
    const wrongPurpose = await atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose: 'TREAT', scope: vitals, emergencyReason: 'unconscious patient in the ER' });
    assert.equal(wrongPurpose.status, 400);
    const anonymous = await atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose: 'ETREAT', scope: vitals, emergencyReason: 'unconscious patient in the ER' });
    assert.equal(anonymous.body.custodians[0].status, 403, 'break-glass needs a named practitioner');
    const unlicensed = await atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose: 'ETREAT', scope: vitals, practitioner: 'Practitioner/er-doc', emergencyReason: 'unconscious patient in the ER' });
    assert.match(unlicensed.body.problems[0], /break-glass refused: no licence presented/);
    await licenseTestPractitioner(chain, tmp.dir, { url: bUrl, token: bToken }, 'Practitioner/er-doc');

    const r = await atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose: 'ETREAT', scope: vitals, practitioner: 'Practitioner/er-doc', emergencyReason: 'unconscious patient in the ER' });
    assert.equal(r.body.custodians[0].status, 200, JSON.stringify(r.body.problems));
    const bg = r.body.custodians[0].breakGlass;
    assert.match(bg.accessId, /^0x[0-9a-f]{64}$/);
    assert.ok(bg.until > Date.now() / 1000 + 3000, 'limited in time (an hour)');
    assert.deepEqual(r.body.entry.map((e: any) => e.resource.resourceType).sort(), ['Condition', 'Observation', 'Observation', 'Patient'], 'the whole record, in an emergency');
    // Within the hour the same access is reused, not flagged again.
    const again = await atB('POST', '/api/exchange/fetch', { patient: patientAddress, purpose: 'ETREAT', scope: vitals, practitioner: 'Practitioner/er-doc', emergencyReason: 'still in the ER, checking allergies' });
    assert.equal(again.body.custodians[0].breakGlass.accessId, bg.accessId);

    // Visible on the ledger to every node (here: the requester's own index).
    const bDb = openNodeDb(clinic);
    const deadline = Date.now() + 10_000;
    let flagged: BreakGlassFlag | undefined;
    while (!(flagged = await breakGlassFlag(bDb, bg.accessId)) && Date.now() < deadline) await new Promise((r2) => setTimeout(r2, 200));
    await bDb.close();
    assert.equal(flagged!.custodian, hospital.orgId);
    assert.equal(flagged!.requester, clinic.orgId, 'the requesting organization is named on the ledger');
    assert.equal(flagged!.txHash, bg.txHash);

    // Visible to the patient in the custodian's audit trail, and queued for the privacy officer.
    const view = await atA('GET', `/api/audit/patient/${patientId}`);
    assert.ok(view.body.entries.some((e: any) => e.event.subtype[0].code === 'break-glass' && /unconscious/.test(e.event.outcomeDesc)));
    const list = await atA('GET', '/api/break-glass');
    assert.equal(list.body.accesses.length, 1);
    assert.equal(list.body.accesses[0].practitioner, 'Practitioner/er-doc');
    assert.equal((await atA('POST', `/api/break-glass/${bg.accessId}/review`, { review: 'justified', note: 'ER admission confirmed' })).status, 200);
    assert.equal((await atA('POST', `/api/break-glass/${bg.accessId}/review`, { review: 'unjustified' })).status, 404, 'reviewed once');
  });
});

describe("patient-held keys, proxies and expiry (CLI)", () => {
  let patient2: string;
  let keyFile: string;
  let address2: Address;
  const bArgs = () => ['--node', bUrl, '--org', clinic.slug, '--home', tmp.dir];
  const fetch2 = (scope: Scope) => atB('POST', '/api/exchange/fetch', { patient: address2, purpose: 'TREAT', scope });

  before(async () => {
    keyFile = join(tmp.dir, 'patient2.key.json');
    const kg = await runCli(['patient', 'keygen', '--out', keyFile]);
    assert.equal(kg.code, 0, kg.stderr);
    address2 = kg.stdout.trim() as Address;
    patient2 = (await atA('POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'SelfCustodied' }] })).body.id;
    await atA('POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'glucose' }, subject: { reference: `Patient/${patient2}` } });
    await atA('POST', '/fhir/Condition', { resourceType: 'Condition', subject: { reference: `Patient/${patient2}` }, code: { text: 'diabetes' } });
    await a.services.anchorers.records.maybeAnchor(true);
    const key = loadPatientKey(keyFile);
    const wrongSig = await privateKeyToAccount(generatePrivateKey()).signMessage({ message: linkMessage(hospital.orgId, patient2) });
    assert.equal((await atA('POST', `/api/patients/${patient2}/identity`, { address: address2, signature: wrongSig })).status, 403, 'possession must be proven');
    const link = await atA('POST', `/api/patients/${patient2}/identity`, { address: address2, signature: await key.signMessage({ message: linkMessage(hospital.orgId, patient2) }) });
    assert.equal(link.status, 201, JSON.stringify(link.body));
    await locatedAtB(address2);
  });

  test('a grant signed with the patient\'s own key, relayed by another node, is honoured; replays are refused', async () => {
    const g = await runCli(['consent', 'grant', ...bArgs(), '--patient-key', keyFile, '--grantee', clinic.slug, '--types', 'Observation', '--days', '1']);
    assert.equal(g.code, 0, g.stderr);
    const r = await fetch2({ resourceTypes: ['Observation'] });
    assert.deepEqual(r.body.entry.map((e: any) => e.resource.code?.text).filter(Boolean), ['glucose']);
    const list = await runCli(['consent', 'list', ...bArgs(), '--patient-key', keyFile]);
    assert.match(list.stdout, /TREAT\s+grantee 0x[0-9a-f]{64}\s+until/);

    // Replaying the exact relayed grant at another node fails on chain (the nonce moved on).
    const key = loadPatientKey(keyFile);
    const domain = (await atA('GET', '/api/consent/domain')).body;
    const scope = { resourceTypes: ['Observation'] as const };
    const now = BigInt(Math.floor(Date.now() / 1000));
    const grant = { patient: address2, grantee: clinic.orgId, scopeHash: scopeHash({ resourceTypes: ['Observation'] }), purpose: 0, start: now - 60n, expiry: now + 3600n, nonce: 0n };
    const signature = await signGrant(key, { ...domain, chainId: Number(domain.chainId) }, grant);
    const body = { grant: { ...grant, start: String(grant.start), expiry: String(grant.expiry), nonce: '0' }, signature, scope };
    const replay = await atA('POST', '/api/consent/relay', body);
    assert.equal(replay.status, 422);
    assert.match(replay.body.error.message, /InvalidAccountNonce/);
    const lying = await atA('POST', '/api/consent/relay', { ...body, scope: { resourceTypes: ['Condition'] } });
    assert.equal(lying.status, 400, 'a scope document that does not match the signed hash');
  });

  test('an expired grant no longer opens anything', async () => {
    const g = await runCli(['consent', 'grant', ...bArgs(), '--patient-key', keyFile, '--grantee', clinic.slug, '--types', 'Condition', '--days', '0.00005']);
    assert.equal(g.code, 0, g.stderr);
    await new Promise((r) => setTimeout(r, 5000));
    const r = await fetch2({ resourceTypes: ['Condition'] });
    assert.equal(r.body.custodians[0].status, 403);
    assert.match(r.body.problems[0], /expired/);
  });

  test('a proxy grants and revokes for the patient until the appointment expires', async () => {
    const guardianFile = join(tmp.dir, 'guardian.key.json');
    await runCli(['patient', 'keygen', '--out', guardianFile]);
    const guardian = loadPatientKey(guardianFile);
    const key = loadPatientKey(keyFile);
    const domain = (await atA('GET', '/api/consent/domain')).body;
    const nonce = BigInt((await atA('GET', `/api/consent/nonce/${address2}`)).body.nonce);
    const expiry = BigInt(Math.floor(Date.now() / 1000) + 16); // room for two CLI relays on a loaded machine
    const sig = await signProxy(key, { ...domain, chainId: Number(domain.chainId) }, { patient: address2, proxy: guardian.address, expiry, nonce });
    const appointed = await atA('POST', '/api/consent/proxy-relay', { patient: address2, proxy: guardian.address, expiry: String(expiry), nonce: String(nonce), signature: sig });
    assert.equal(appointed.status, 200, JSON.stringify(appointed.body));

    const g = await runCli(['consent', 'grant', ...bArgs(), '--patient-key', guardianFile, '--for', address2, '--grantee', clinic.slug, '--types', 'Observation,Condition', '--days', '1']);
    assert.equal(g.code, 0, g.stderr);
    const grantId = /granted (0x[0-9a-f]{64})/.exec(g.stdout)![1]!;
    assert.equal((await fetch2({ resourceTypes: ['Observation', 'Condition'] })).body.custodians[0].status, 200, 'the proxy\'s grant is honoured');
    const rv = await runCli(['consent', 'revoke', ...bArgs(), '--patient-key', guardianFile, '--for', address2, '--grant', grantId]);
    assert.equal(rv.code, 0, rv.stderr);
    assert.equal((await fetch2({ resourceTypes: ['Observation', 'Condition'] })).body.custodians[0].status, 403);

    while (Date.now() / 1000 <= Number(expiry) + 1) await new Promise((r) => setTimeout(r, 250));
    const late = await runCli(['consent', 'grant', ...bArgs(), '--patient-key', guardianFile, '--for', address2, '--grantee', clinic.slug, '--types', 'Observation', '--days', '1']);
    assert.notEqual(late.code, 0);
    assert.match(late.stderr, /BadSignature/);
  });
});

describe('the patient\'s own view', () => {
  test('a patient logs in with their key: own consents only, and a verified access history across custodians', async () => {
    const keyFile = join(tmp.dir, 'patient2.key.json');
    const key = loadPatientKey(keyFile);
    const patient2 = (await atA('GET', '/fhir/Patient?_count=1000')).body.entry.map((e: any) => e.resource).find((p: any) => p.name?.[0]?.family === 'SelfCustodied').id;
    const challenge = (await call(a.url, '', 'POST', '/api/auth/patient/challenge', { address: key.address })).body.challenge;
    const signature = await key.signMessage({ message: patientLoginMessage(hospital.orgId, challenge) });
    const login = await call(a.url, '', 'POST', '/api/auth/patient/login', { address: key.address, challenge, signature });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const t = login.body.access_token;
    assert.equal((await call(a.url, '', 'POST', '/api/auth/patient/login', { address: key.address, challenge, signature })).status, 401, 'a challenge is used once');
    const mine = await call(a.url, t, 'GET', `/fhir/Consent?patient=Patient/${patient2}`);
    assert.equal(mine.status, 200);
    assert.ok(mine.body.total >= 3);
    assert.equal((await call(a.url, t, 'GET', `/fhir/Consent?patient=Patient/${patientId}`)).status, 403, "another patient's consents");
    assert.equal((await call(a.url, t, 'GET', `/fhir/Patient/${patient2}`)).status, 403, 'no clinical reads with the patient role (yet)');
    assert.equal((await call(a.url, t, 'GET', '/api/audit/entries')).status, 403);

    const cli = await runCli(['audit', 'mine', '--node', bUrl, '--patient-key', keyFile, '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`Organization/${clinic.orgId}\\s+exchange .*TREAT\\s+allowed`));
    assert.match(cli.stdout, /exchange\s+TREAT\s+denied\/failed \(denied at block \d+: the grant was revoked\)/);
    assert.match(cli.stdout, /verified \d+ entries at 1 custodian\(s\) against their signed heads and the chain/);
  });
});

describe('attacks on the exchange', () => {
  async function signedRequest(overrides: Record<string, unknown> = {}, signer = clinic.keys.account) {
    const body = JSON.stringify({ requester: clinic.orgId, patient: patientAddress, purpose: 'TREAT', scope: vitalsAndMind, timestamp: Date.now(), nonce: randomBytes(16).toString('hex'), ...overrides });
    const signature = await signer.signMessage({ message: { raw: requestDigest(body) } });
    const send = (sig: Hex = signature, b = body) => fetch(`${a.url}/api/exchange/records`, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sig }, body: b });
    return { body, signature, send };
  }

  test('replayed, forged, stale, unregistered and tampered requests are refused', async () => {
    const ok = await signedRequest();
    assert.equal((await ok.send()).status, 200);
    assert.equal((await ok.send()).status, 401, 'replay');
    const forged = await signedRequest({}, privateKeyToAccount(generatePrivateKey()));
    assert.equal((await forged.send()).status, 401, 'signed by a key that is not the requester\'s');
    const stale = await signedRequest({ timestamp: Date.now() - 10 * 60_000 });
    assert.equal((await stale.send()).status, 401, 'too old');
    const stranger = await signedRequest({ requester: `0x${'ab'.repeat(32)}` });
    assert.equal((await stranger.send()).status, 403, 'not a participant');
    const changed = await signedRequest();
    assert.equal((await changed.send(changed.signature, changed.body.replace('TREAT', 'HRESCH'))).status, 401, 'body changed after signing');
    assert.equal((await (await signedRequest()).send('0x1234' as Hex)).status, 401, 'malformed signature');
    const bad = await fetch(`${a.url}/api/exchange/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"requester": 1}' });
    assert.equal(bad.status, 400);
  });

  test('the requester rejects tampered ciphertext, proofs and keys before showing anything', async () => {
    const storage = openNodeDb(clinic);
    const requester = { storage, keys: loadKeyFile(clinic.keyFile), peerFetch: peerFetch(undefined), orgId: clinic.orgId };
    const q = { patient: patientAddress, purpose: 'TREAT' as const, scope: vitalsAndMind };
    const clean = await fetchFromCustodians(requester, q);
    assert.deepEqual(clean.problems, []);
    assert.equal(clean.resources.length, 3);
    for (const [what, tamper, expect] of [
      ['ciphertext', (r: any) => { const c = Buffer.from(r.entries[0].ciphertext, 'base64'); c[30]! ^= 1; r.entries[0].ciphertext = c.toString('base64'); }, /log entry does not describe this ciphertext/],
      ['proof', (r: any) => { r.entries[0].proof = r.entries[0].proof.length ? r.entries[0].proof.slice(1) : [`0x${'11'.repeat(32)}`]; }, /inclusion proof does not verify/],
      ['anchored root', (r: any) => { r.entries[0].anchor.root = `0x${'22'.repeat(32)}`; }, /not the custodian's anchored root/],
      ['wrapped key', (r: any) => { const k = Buffer.from(r.entries[0].wrappedKey, 'base64'); k[k.length - 1]! ^= 1; r.entries[0].wrappedKey = k.toString('base64'); }, /wrapped data key: authentication failed/],
    ] as const) {
      const res = await fetchFromCustodians(requester, q, { tamper });
      assert.equal(res.resources.length, 2, `${what}: the tampered entry is dropped`);
      assert.match(res.problems.join('\n'), expect, what);
    }
    await storage.close();
  });
});
