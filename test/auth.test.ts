/**
 * Users of a node: login with short-lived JWTs, and roles on every path. Forged, expired, `alg: none`,
 * foreign-issuer and wrong-key tokens get 401; the wrong role gets 403; failures are audited.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import type { NodeConfig } from '../src/config/node-config.ts';
import { licenseTestPractitioner, runCli, startTestNode, tempDir, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let adminToken: string;
let config: () => NodeConfig;
const tokens: Record<string, string> = {};
const PASSWORD = 'a long enough password';

async function call(token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

before(async () => {
  ({ chain, org, node, token: adminToken, config } = await startTestNode(tmp.dir, 'auth-hospital'));
  await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token: adminToken }, 'Practitioner/house');
  for (const [username, role, practitioner] of [
    ['dr.house', 'clinician', 'Practitioner/house'],
    ['front.desk', 'staff', undefined],
    ['privacy', 'privacy-officer', undefined],
  ] as const) {
    const r = await runCli(['user', 'add', '--org', org.slug, '--home', tmp.dir, '--username', username, '--role', role, ...(practitioner ? ['--practitioner', practitioner] : [])], { CARECHAIN_PASSWORD: PASSWORD });
    assert.equal(r.code, 0, r.stderr);
    const login = await call(undefined, 'POST', '/api/auth/login', { username, password: PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    tokens[role] = login.body.access_token;
  }
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('login and tokens', () => {
  test('bad passwords, weak passwords and duplicate users are refused; failed logins are audited', async () => {
    const before = node.services.audit.log.log.size;
    assert.equal((await call(undefined, 'POST', '/api/auth/login', { username: 'dr.house', password: 'guess' })).status, 401);
    assert.equal((await call(undefined, 'POST', '/api/auth/login', { username: 'nobody', password: PASSWORD })).status, 401);
    assert.equal((await call(undefined, 'POST', '/api/auth/login', { username: 'x' })).status, 400);
    const events = (await Promise.all([before, before + 1].map((i) => node.services.audit.log.entry(i)))) as any[];
    assert.deepEqual(events.map((e) => [e.subtype[0].code, e.outcome]), [['login', '4'], ['login', '4']]);
    const weak = await runCli(['user', 'add', '--org', org.slug, '--home', tmp.dir, '--username', 'weak', '--role', 'staff'], { CARECHAIN_PASSWORD: 'short' });
    assert.notEqual(weak.code, 0);
    assert.match(weak.stderr, /at least 12 characters/);
    const dup = await runCli(['user', 'add', '--org', org.slug, '--home', tmp.dir, '--username', 'dr.house', '--role', 'staff'], { CARECHAIN_PASSWORD: PASSWORD });
    assert.match(dup.stderr, /already exists/);
  });

  test('forged, expired, alg:none, foreign and wrong-key tokens get 401', async () => {
    const key = createHmac('sha256', node.services.keys.indexSecret).update('carechain/jwt/v1').digest();
    const claims = { roles: ['admin'] };
    const iss = `carechain:${org.slug}`;
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(iss).setAudience(iss).setSubject('dr.house').setIssuedAt(0).setExpirationTime(60).sign(key);
    const none = new UnsecuredJWT(claims).setIssuer(iss).setAudience(iss).setSubject('dr.house').setExpirationTime('1h').encode();
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('carechain:other-org').setAudience(iss).setSubject('dr.house').setExpirationTime('1h').sign(key);
    const wrongKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(iss).setAudience(iss).setSubject('dr.house').setExpirationTime('1h').sign(new Uint8Array(32));
    const unknownUser = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(iss).setAudience(iss).setSubject('ghost').setExpirationTime('1h').sign(key);
    const [h, p] = tokens.clinician!.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['admin'] })).toString('base64url')}.${tokens.clinician!.split('.')[2]}`;
    for (const [what, t, msg] of [
      ['expired', expired, /token expired/],
      ['alg none', none, /invalid token/],
      ['foreign issuer', foreign, /invalid token/],
      ['wrong key', wrongKey, /invalid token/],
      ['unknown user', unknownUser, /unknown user/],
      ['tampered payload', tampered, /invalid token/],
      ['garbage', 'not-a-token', /invalid admin token/],
    ] as const) {
      const r = await call(t, 'GET', '/fhir/Patient');
      assert.equal(r.status, 401, what);
      assert.match(r.body.issue[0].diagnostics, msg, what);
    }
    assert.equal((await call(undefined, 'GET', '/fhir/Patient')).status, 401);
  });
});

describe('roles on the own node', () => {
  test('each role gets what it needs and 403 for the rest, on every path', async () => {
    const patient = (await call(adminToken, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Roles' }] })).body;
    const obs = (await call(tokens.clinician, 'POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient.id}` } })).body;
    assert.ok(obs.id, 'clinicians write clinical data');
    const paths: [string, string, string][] = [
      ['read Observation', 'GET', `/fhir/Observation/${obs.id}`],
      ['search Observation', 'GET', `/fhir/Observation?patient=${patient.id}`],
      ['history Observation', 'GET', `/fhir/Observation/${obs.id}/_history`],
      ['vread Observation', 'GET', `/fhir/Observation/${obs.id}/_history/1`],
      ['read Patient', 'GET', `/fhir/Patient/${patient.id}`],
      ['$everything', 'GET', `/fhir/Patient/${patient.id}/$everything`],
      ['Provenance', 'GET', `/fhir/Provenance?target=Patient/${patient.id}`],
      ['audit entries', 'GET', '/api/audit/entries'],
      ['audit flags', 'GET', '/api/audit/flags'],
      ['journal', 'GET', '/api/transactions'],
    ];
    const expected: Record<string, number[]> = {
      //                 obs  search hist vread pat  evr  prov audit flags journal
      clinician:        [200, 200,   200, 200,  200, 200, 200, 403,  403,  403],
      staff:            [403, 403,   403, 403,  200, 403, 403, 403,  403,  403],
      'privacy-officer': [403, 403,  403, 403,  403, 403, 200, 200,  200,  403],
    };
    for (const [role, statuses] of Object.entries(expected)) {
      for (const [i, [what, method, path]] of paths.entries()) {
        assert.equal((await call(tokens[role], method, path)).status, statuses[i], `${role}: ${what}`);
      }
    }
    for (const [i, [what, method, path]] of paths.entries()) assert.equal((await call(adminToken, method, path)).status, 200, `operator: ${what} (${i})`);
    assert.equal((await call(tokens.staff, 'POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'y' } })).status, 403);
    assert.equal((await call(tokens.clinician, 'POST', `/fhir/Patient/${patient.id}/$erase`)).status, 403, 'erasure is the privacy officer\'s');
  });

  test("the audit trail names the user's practitioner", async () => {
    await call(tokens.clinician, 'GET', '/fhir/Patient?_count=1');
    const last = (await node.services.audit.log.entry(node.services.audit.log.log.size - 1)) as any;
    assert.equal(last.agent[0].who.reference, 'Practitioner/house');
    await call(tokens.staff, 'GET', '/fhir/Observation?_count=1');
    const denied = (await node.services.audit.log.entry(node.services.audit.log.log.size - 1)) as any;
    assert.deepEqual([denied.outcome, denied.agent[0].who.reference], ['4', `Person/${org.slug}.front.desk`]);
  });
});

test('logins are rate limited per client (10 a minute), with a 429', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await call(undefined, 'POST', '/api/auth/login', { username: 'dr.house', password: `guess ${i}` })).status);
  assert.ok(statuses.includes(429), statuses.join(','));
  assert.ok(statuses.slice(0, 2).every((s) => s === 401), 'the first attempts are answered');
  assert.equal((await call(tokens.clinician, 'GET', '/fhir/Patient?_count=1')).status, 200, 'clinical traffic is not limited');
});

test('expensive operations are rate limited per caller and per route, with a 429 OperationOutcome', async () => {
  await node.stop();
  node = await startNode({ ...config(), expensivePerMinute: 3 });
  const everything = async (token: string) => (await fetch(`${node.url}/fhir/Patient/nobody/$everything`, { headers: { authorization: `Bearer ${token}` } }));
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 4; i++) {
    const res = await everything(tokens.clinician!);
    statuses.push(res.status);
    if (res.status === 429) limited = res;
    else await res.arrayBuffer();
  }
  assert.deepEqual(statuses, [404, 404, 404, 429]);
  assert.ok(Number(limited!.headers.get('retry-after')) > 0);
  const body = (await limited!.json()) as any;
  assert.equal(body.resourceType, 'OperationOutcome');
  assert.match(body.issue[0].diagnostics, /rate limit/i);
  // Another caller, another route, and ordinary reads are unaffected.
  assert.equal((await everything(adminToken)).status, 404);
  assert.equal((await call(tokens.clinician, 'GET', '/fhir/Patient?_count=1')).status, 200);
  const exports = [];
  for (let i = 0; i < 4; i++) exports.push((await call(tokens['privacy-officer'], 'GET', '/api/audit/export')).status);
  assert.deepEqual(exports, [200, 200, 200, 429]);
  // A transaction Bundle counts too, and the refused one stores nothing.
  const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', name: [{ family: 'Ratelimited' }] }, request: { method: 'POST', url: 'Patient' } }] };
  const bundles = [];
  for (let i = 0; i < 4; i++) bundles.push((await call(tokens.clinician, 'POST', '/fhir', bundle)).status);
  assert.deepEqual(bundles, [200, 200, 200, 429]);
  const patients = (await call(tokens.clinician, 'GET', '/fhir/Patient?_count=1000')).body.entry.map((e: any) => e.resource);
  assert.equal(patients.filter((p: any) => p.name?.[0]?.family === 'Ratelimited').length, 3);
});
