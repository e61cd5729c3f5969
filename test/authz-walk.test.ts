/**
 * Issue #11.7: object-level authorization everywhere. Walks every route the node registers with no
 * token and with each kind of caller (a patient, an unlicensed clinician, staff, a privacy officer),
 * aimed at another patient's records: nothing answers 5xx; without a token only the documented public
 * routes answer; a patient reaches nothing of another patient; an unlicensed clinician reaches no
 * patient data.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generatePrivateKey } from 'viem/accounts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { masterAccount, masterKeyOf, patientLink } from '../src/cli/consent.ts';
import { custodianAccount } from '../src/crypto/patient-keys.ts';
import { patientLoginMessage } from '../src/identity/patient-challenges.ts';
import { routesOf } from '../src/node/server.ts';
import type { RunningNode } from '../src/node/start.ts';
import { runCli, startTestNode, tempDir, type TestOrg } from './helpers/env.ts';
import { activationCodeFor, custodyPatient, patientWithPhone } from './helpers/patients.ts';

/** The routes anyone may call without a token (README, "Public endpoints"); each checks its own proof. */
export const PUBLIC_ROUTES = [
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /api/node',
  'GET /api/participants',
  'GET /api/participants/:orgId',
  'GET /api/consent/custodian',
  'GET /api/openapi.json',
  'GET /api/anchors', // anchored roots: a mirror of the public ledger
  'GET /api/supply/licences/:org', // trading licences: a mirror of the public ledger
  'GET /01/*', // GS1 Digital Link verification: signed by a trading partner (docs/supply.md)
  'GET /fhir/metadata',
  'GET /portal',
  'GET /portal/*',
  'POST /api/auth/login',
  'POST /api/auth/patient/challenge',
  'POST /api/auth/patient/login',
  'POST /api/patient/link',
  'POST /api/patient/custody',
  'POST /api/patient/consent/grant',
  'POST /api/patient/consent/revoke',
  'POST /api/exchange/records',
  'POST /api/consent/notices',
  'POST /api/research/studies/:studyId/consent',
  'POST /api/research/studies/:studyId/datasets/verify',
];

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let admin: string;
const tokens: Record<string, string> = {};
let foreignPatient: string;
let foreignAddress: string;

async function call(token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

before(async () => {
  ({ chain, org, node, token: admin } = await startTestNode(tmp.dir, 'walked-hospital'));
  for (const [name, role, extra] of [['staff', 'staff', []], ['officer', 'privacy-officer', []], ['clinician', 'clinician', ['--practitioner', 'Practitioner/unlicensed']]] as const) {
    const r = await runCli(['user', 'add', '--org', org.slug, '--home', tmp.dir, '--username', name, '--role', role, ...extra], { CARECHAIN_PASSWORD: 'a long enough password' });
    assert.equal(r.code, 0, r.stderr);
    tokens[name] = JSON.parse((await call(undefined, 'POST', '/api/auth/login', { username: name, password: 'a long enough password' })).text).access_token;
  }
  // The other patient: records and a key in custody.
  foreignPatient = JSON.parse((await call(admin, 'POST', '/fhir/Patient', patientWithPhone('Foreign'))).text).id;
  await call(admin, 'POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'private' }, subject: { reference: `Patient/${foreignPatient}` } });
  foreignAddress = await custodyPatient({ url: node.url, token: admin, dataDir: org.dataDir }, foreignPatient, 'foreign passphrase');
  // The patient walking the routes: their own record and key, logged in.
  const me = JSON.parse((await call(admin, 'POST', '/fhir/Patient', patientWithPhone('Walker'))).text).id;
  await call(admin, 'POST', `/api/patients/${me}/activation`, {});
  const master = masterAccount(generatePrivateKey());
  await patientLink({ url: node.url, token: '' }, master, { patientId: me, code: activationCodeFor(org.dataDir, me) });
  const key = custodianAccount(masterKeyOf(master), org.orgId);
  const challenge = JSON.parse((await call(undefined, 'POST', '/api/auth/patient/challenge', { address: key.address })).text).challenge;
  tokens.patient = JSON.parse((await call(undefined, 'POST', '/api/auth/patient/login', { address: key.address, challenge, signature: await key.signMessage({ message: patientLoginMessage(org.orgId, challenge) }) })).text).access_token;
  assert.ok(tokens.patient);
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});


/** A concrete path for a route pattern, aimed at the foreign patient. */
function pathFor(url: string): string {
  return url
    .replace(/:type/g, 'Patient')
    .replace(/:id(?=\/|$)/g, foreignPatient)
    .replace(/:patientId/g, foreignPatient)
    .replace(/:address/g, foreignAddress)
    .replace(/:holder/g, foreignAddress)
    .replace(/:(orgId|accessId|credentialId|grantId)/g, `0x${'ab'.repeat(32)}`)
    .replace(/:vid|:version|:index/g, '1')
    .replace(/:[A-Za-z]+/g, 'x')
    .replace(/\*/g, 'x');
}

test('every route, every caller: no 5xx; only the documented routes are public; no patient reaches another; no unlicensed clinician reaches patient data', async () => {
  const routes = routesOf(node.app).filter((r) => !r.url.includes('{'));
  assert.ok(routes.length > 60, `${routes.length} routes`);
  const publicSeen: string[] = [];
  const problems: string[] = [];
  for (const r of routes) {
    const key = `${r.method} ${r.url}`;
    const path = pathFor(r.url);
    const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? (r.url.startsWith('/fhir') ? { resourceType: 'Parameters' } : {}) : undefined;
    const anon = await call(undefined, r.method, path, body);
    if (anon.status >= 500) problems.push(`${key} anonymous: ${anon.status} ${anon.text.slice(0, 120)}`);
    if (anon.status !== 401) publicSeen.push(key);
    for (const who of ['patient', 'clinician', 'staff', 'officer']) {
      const res = await call(tokens[who], r.method, path, body);
      if (res.status >= 500) problems.push(`${key} as ${who}: ${res.status} ${res.text.slice(0, 120)}`);
      const ok = res.status >= 200 && res.status < 300;
      // A patient reads nothing of another patient (their own views and the public routes excepted).
      if (who === 'patient' && ok && res.text.includes(foreignPatient) && !PUBLIC_ROUTES.includes(key)) problems.push(`${key}: a patient saw another patient (${res.status})`);
      if (who === 'patient' && ok && res.text.toLowerCase().includes(foreignAddress.toLowerCase().slice(2)) && !PUBLIC_ROUTES.includes(key)) problems.push(`${key}: a patient saw another patient's address`);
      // An unlicensed clinician reaches no patient data.
      if (who === 'clinician' && ok && (res.text.includes(foreignPatient) || res.text.includes('"private"'))) problems.push(`${key}: an unlicensed clinician saw patient data (${res.status})`);
    }
  }
  assert.deepEqual(problems, []);
  const undocumented = publicSeen.filter((k) => !PUBLIC_ROUTES.includes(k));
  assert.deepEqual(undocumented, [], 'routes answering without a token that the README does not list as public');
});

test('#17.7 /api/openapi.json: OpenAPI 3.1 from the zod schemas, every /api route in it', async () => {
  const doc = JSON.parse((await call(undefined, 'GET', '/api/openapi.json')).text) as { openapi: string; paths: Record<string, Record<string, any>> };
  assert.equal(doc.openapi, '3.1.0');
  for (const r of routesOf(node.app).filter((x) => x.url.startsWith('/api/'))) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    assert.ok(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path} documented`);
  }
  const fetchOp = doc.paths['/api/exchange/fetch']!.post;
  assert.deepEqual(Object.keys(fetchOp.requestBody.content['application/json'].schema.properties).sort(), ['emergencyReason', 'patient', 'practitioner', 'purpose', 'scope']);
  assert.ok(fetchOp.requestBody.content['application/json'].schema.required.includes('patient'));
  assert.equal(doc.paths['/api/patient/link']!.post['x-access'], 'public');
});
